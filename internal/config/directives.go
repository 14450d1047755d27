package config

// Numeric bounds of the C types Redis stores its directives in.
const (
	intMin   = -1 << 31
	intMax   = 1<<31 - 1
	uintMax  = 1<<32 - 1
	llongMax = 1<<63 - 1
	// ullongMax is ULLONG_MAX, stored as -1 in an Unsigned directive.
	ullongMax = -1
)

// Enumerations of the Enum directives, in Redis's order (the order matters:
// errors list the names in it, and the first name of a value is the one
// CONFIG GET shows).
var (
	enumMaxmemoryPolicy = []EnumValue{
		{"volatile-lru", 0}, {"volatile-lfu", 1}, {"volatile-random", 2}, {"volatile-ttl", 3},
		{"allkeys-lru", 4}, {"allkeys-lfu", 5}, {"allkeys-random", 6}, {"noeviction", 7},
	}
	enumSyslogFacility = []EnumValue{
		{"user", 0}, {"local0", 1}, {"local1", 2}, {"local2", 3}, {"local3", 4},
		{"local4", 5}, {"local5", 6}, {"local6", 7}, {"local7", 8},
	}
	enumLoglevel      = []EnumValue{{"debug", 0}, {"verbose", 1}, {"notice", 2}, {"warning", 3}}
	enumSupervised    = []EnumValue{{"upstart", 1}, {"systemd", 2}, {"auto", 3}, {"no", 0}}
	enumAppendfsync   = []EnumValue{{"everysec", 0}, {"always", 1}, {"no", 2}}
	enumShutdownOnSig = []EnumValue{{"default", 0}, {"save", 1}, {"nosave", 2}, {"now", 4}, {"force", 8}}
	enumDisklessLoad  = []EnumValue{{"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}}
	enumTLSAuth       = []EnumValue{{"no", 0}, {"yes", 1}, {"optional", 2}}
	// "yes" and "relative" are the same setting; CONFIG GET shows "yes".
	enumOOMScoreAdj   = []EnumValue{{"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}}
	enumPubsubDefault = []EnumValue{{"allchannels", 1}, {"resetchannels", 0}}
	enumSanitize      = []EnumValue{{"no", 0}, {"yes", 1}, {"clients", 2}}
	enumProtected     = []EnumValue{{"no", 0}, {"yes", 1}, {"local", 2}}
	enumEndpointType  = []EnumValue{{"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}}
	enumPropagation   = []EnumValue{{"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}}
)

// directives is every directive of Redis 7.0 (as built with TLS support),
// with Redis's defaults, bounds, aliases and flags. Ember accepts and
// reports all of them; the ones it does not act on are listed too, so that
// configuration files and clients written for Redis work unchanged, and
// INFO does not claim they take effect (see Effective).
var directives = []*Directive{
	// yes/no directives.
	{Name: "rdbchecksum", Kind: Bool, Default: "yes", Flags: Immutable},
	{Name: "daemonize", Kind: Bool, Default: "no", Flags: Immutable},
	{Name: "io-threads-do-reads", Kind: Bool, Default: "no", Flags: Immutable},
	{Name: "always-show-logo", Kind: Bool, Default: "no", Flags: Immutable},
	{Name: "protected-mode", Kind: Bool, Default: "yes"},
	{Name: "rdbcompression", Kind: Bool, Default: "yes"},
	{Name: "rdb-del-sync-files", Kind: Bool, Default: "no"},
	{Name: "activerehashing", Kind: Bool, Default: "yes"},
	{Name: "stop-writes-on-bgsave-error", Kind: Bool, Default: "yes"},
	{Name: "set-proc-title", Kind: Bool, Default: "yes", Flags: Immutable},
	{Name: "dynamic-hz", Kind: Bool, Default: "yes"},
	{Name: "lazyfree-lazy-eviction", Kind: Bool, Default: "no"},
	{Name: "lazyfree-lazy-expire", Kind: Bool, Default: "no"},
	{Name: "lazyfree-lazy-server-del", Kind: Bool, Default: "no"},
	{Name: "lazyfree-lazy-user-del", Kind: Bool, Default: "no"},
	{Name: "lazyfree-lazy-user-flush", Kind: Bool, Default: "no"},
	{Name: "repl-disable-tcp-nodelay", Kind: Bool, Default: "no"},
	{Name: "repl-diskless-sync", Kind: Bool, Default: "yes"},
	{Name: "aof-rewrite-incremental-fsync", Kind: Bool, Default: "yes"},
	{Name: "no-appendfsync-on-rewrite", Kind: Bool, Default: "no"},
	{Name: "cluster-require-full-coverage", Kind: Bool, Default: "yes"},
	{Name: "rdb-save-incremental-fsync", Kind: Bool, Default: "yes"},
	{Name: "aof-load-truncated", Kind: Bool, Default: "yes"},
	{Name: "aof-use-rdb-preamble", Kind: Bool, Default: "yes"},
	{Name: "aof-timestamp-enabled", Kind: Bool, Default: "no"},
	{Name: "cluster-replica-no-failover", Aliases: []string{"cluster-slave-no-failover"}, Kind: Bool, Default: "no"},
	{Name: "replica-lazy-flush", Aliases: []string{"slave-lazy-flush"}, Kind: Bool, Default: "no"},
	{Name: "replica-serve-stale-data", Aliases: []string{"slave-serve-stale-data"}, Kind: Bool, Default: "yes"},
	{Name: "replica-read-only", Aliases: []string{"slave-read-only"}, Kind: Bool, Default: "yes"},
	{Name: "replica-ignore-maxmemory", Aliases: []string{"slave-ignore-maxmemory"}, Kind: Bool, Default: "yes"},
	{Name: "jemalloc-bg-thread", Kind: Bool, Default: "yes"},
	{Name: "activedefrag", Kind: Bool, Default: "no", Validate: validActiveDefrag},
	{Name: "syslog-enabled", Kind: Bool, Default: "no", Flags: Immutable},
	{Name: "cluster-enabled", Kind: Bool, Default: "no", Flags: Immutable},
	{Name: "appendonly", Kind: Bool, Default: "no", Flags: DenyLoading},
	{Name: "cluster-allow-reads-when-down", Kind: Bool, Default: "no"},
	{Name: "cluster-allow-pubsubshard-when-down", Kind: Bool, Default: "yes"},
	{Name: "crash-log-enabled", Kind: Bool, Default: "yes"},
	{Name: "crash-memcheck-enabled", Kind: Bool, Default: "yes"},
	{Name: "use-exit-on-panic", Kind: Bool, Default: "no", Flags: Hidden},
	{Name: "disable-thp", Kind: Bool, Default: "yes", Flags: Immutable},
	{Name: "cluster-allow-replica-migration", Kind: Bool, Default: "yes"},
	{Name: "replica-announced", Kind: Bool, Default: "yes"},
	{Name: "latency-tracking", Kind: Bool, Default: "yes"},
	{Name: "aof-disable-auto-gc", Kind: Bool, Default: "no"},
	{Name: "replica-ignore-disk-write-errors", Kind: Bool, Default: "no"},

	// Strings.
	{Name: "aclfile", Kind: String, Default: "", Flags: Immutable},
	{Name: "unixsocket", Kind: String, Flags: Immutable | EmptyIsNull},
	{Name: "pidfile", Kind: String, Flags: Immutable | EmptyIsNull},
	{Name: "replica-announce-ip", Aliases: []string{"slave-announce-ip"}, Kind: String, Flags: EmptyIsNull},
	{Name: "masteruser", Kind: String, Flags: Sensitive | EmptyIsNull},
	{Name: "cluster-announce-ip", Kind: String, Flags: EmptyIsNull},
	{Name: "cluster-config-file", Kind: String, Default: "nodes.conf", Flags: Immutable},
	{Name: "cluster-announce-hostname", Kind: String, Flags: EmptyIsNull, Validate: validHostname},
	{Name: "syslog-ident", Kind: String, Default: "redis", Flags: Immutable},
	{Name: "dbfilename", Kind: String, Default: "dump.rdb", Flags: Protected, Validate: validDBFilename},
	{Name: "appendfilename", Kind: String, Default: "appendonly.aof", Flags: Immutable, Validate: validAOFFilename},
	{Name: "appenddirname", Kind: String, Default: "appendonlydir", Flags: Immutable, Validate: validAOFDirname},
	{Name: "server_cpulist", Kind: String, Flags: Immutable | EmptyIsNull},
	{Name: "bio_cpulist", Kind: String, Flags: Immutable | EmptyIsNull},
	{Name: "aof_rewrite_cpulist", Kind: String, Flags: Immutable | EmptyIsNull},
	{Name: "bgsave_cpulist", Kind: String, Flags: Immutable | EmptyIsNull},
	{Name: "ignore-warnings", Kind: String, Default: ""},
	{Name: "proc-title-template", Kind: String, Default: "{title} {listen-addr} {server-mode}", Validate: validProcTitle},
	{Name: "bind-source-addr", Kind: String, Flags: EmptyIsNull},
	{Name: "logfile", Kind: String, Default: "", Flags: Immutable},
	{Name: "masterauth", Kind: String, Flags: Sensitive | EmptyIsNull},
	{Name: "requirepass", Kind: String, Flags: Sensitive | EmptyIsNull},

	// Enumerations.
	{Name: "supervised", Kind: Enum, Enum: enumSupervised, Default: "no", Flags: Immutable},
	{Name: "syslog-facility", Kind: Enum, Enum: enumSyslogFacility, Default: "local0", Flags: Immutable},
	{Name: "repl-diskless-load", Kind: Enum, Enum: enumDisklessLoad, Default: "disabled", Flags: DenyLoading},
	{Name: "loglevel", Kind: Enum, Enum: enumLoglevel, Default: "notice"},
	{Name: "maxmemory-policy", Kind: Enum, Enum: enumMaxmemoryPolicy, Default: "noeviction"},
	{Name: "appendfsync", Kind: Enum, Enum: enumAppendfsync, Default: "everysec"},
	{Name: "oom-score-adj", Kind: Enum, Enum: enumOOMScoreAdj, Default: "no"},
	{Name: "acl-pubsub-default", Kind: Enum, Enum: enumPubsubDefault, Default: "resetchannels"},
	{Name: "sanitize-dump-payload", Kind: Enum, Enum: enumSanitize, Default: "no"},
	{Name: "enable-protected-configs", Kind: Enum, Enum: enumProtected, Default: "no", Flags: Immutable},
	{Name: "enable-debug-command", Kind: Enum, Enum: enumProtected, Default: "no", Flags: Immutable},
	{Name: "enable-module-command", Kind: Enum, Enum: enumProtected, Default: "no", Flags: Immutable},
	{Name: "cluster-preferred-endpoint-type", Kind: Enum, Enum: enumEndpointType, Default: "ip"},
	{Name: "propagation-error-behavior", Kind: Enum, Enum: enumPropagation, Default: "ignore"},
	{Name: "shutdown-on-sigint", Kind: Enum, Enum: enumShutdownOnSig, Default: "default", Flags: MultiArg, Validate: validShutdownFlags},
	{Name: "shutdown-on-sigterm", Kind: Enum, Enum: enumShutdownOnSig, Default: "default", Flags: MultiArg, Validate: validShutdownFlags},

	// Integers.
	{Name: "databases", Kind: Int, Default: "16", Min: 1, Max: intMax, Flags: Immutable},
	{Name: "port", Kind: Int, Default: "6379", Min: 0, Max: 65535},
	{Name: "io-threads", Kind: Int, Default: "1", Min: 1, Max: 128, Flags: Immutable},
	{Name: "auto-aof-rewrite-percentage", Kind: Int, Default: "100", Min: 0, Max: intMax},
	{Name: "cluster-replica-validity-factor", Aliases: []string{"cluster-slave-validity-factor"}, Kind: Int, Default: "10", Min: 0, Max: intMax},
	{Name: "list-max-listpack-size", Aliases: []string{"list-max-ziplist-size"}, Kind: Int, Default: "-2", Min: intMin, Max: intMax},
	{Name: "tcp-keepalive", Kind: Int, Default: "300", Min: 0, Max: intMax},
	{Name: "cluster-migration-barrier", Kind: Int, Default: "1", Min: 0, Max: intMax},
	{Name: "active-defrag-cycle-min", Kind: Int, Default: "1", Min: 1, Max: 99},
	{Name: "active-defrag-cycle-max", Kind: Int, Default: "25", Min: 1, Max: 99},
	{Name: "active-defrag-threshold-lower", Kind: Int, Default: "10", Min: 0, Max: 1000},
	{Name: "active-defrag-threshold-upper", Kind: Int, Default: "100", Min: 0, Max: 1000},
	{Name: "lfu-log-factor", Kind: Int, Default: "10", Min: 0, Max: intMax},
	{Name: "lfu-decay-time", Kind: Int, Default: "1", Min: 0, Max: intMax},
	{Name: "replica-priority", Aliases: []string{"slave-priority"}, Kind: Int, Default: "100", Min: 0, Max: intMax},
	{Name: "repl-diskless-sync-delay", Kind: Int, Default: "5", Min: 0, Max: intMax},
	{Name: "maxmemory-samples", Kind: Int, Default: "5", Min: 1, Max: intMax},
	{Name: "maxmemory-eviction-tenacity", Kind: Int, Default: "10", Min: 0, Max: 100},
	{Name: "timeout", Kind: Int, Default: "0", Min: 0, Max: intMax},
	{Name: "replica-announce-port", Aliases: []string{"slave-announce-port"}, Kind: Int, Default: "0", Min: 0, Max: 65535},
	{Name: "tcp-backlog", Kind: Int, Default: "511", Min: 0, Max: intMax, Flags: Immutable},
	{Name: "cluster-port", Kind: Int, Default: "0", Min: 0, Max: 65535, Flags: Immutable},
	{Name: "cluster-announce-bus-port", Kind: Int, Default: "0", Min: 0, Max: 65535},
	{Name: "cluster-announce-port", Kind: Int, Default: "0", Min: 0, Max: 65535},
	{Name: "cluster-announce-tls-port", Kind: Int, Default: "0", Min: 0, Max: 65535},
	{Name: "repl-timeout", Kind: Int, Default: "60", Min: 1, Max: intMax},
	{Name: "repl-ping-replica-period", Aliases: []string{"repl-ping-slave-period"}, Kind: Int, Default: "10", Min: 1, Max: intMax},
	{Name: "list-compress-depth", Kind: Int, Default: "0", Min: 0, Max: intMax},
	{Name: "rdb-key-save-delay", Kind: Int, Default: "0", Min: intMin, Max: intMax, Flags: Hidden},
	{Name: "key-load-delay", Kind: Int, Default: "0", Min: intMin, Max: intMax, Flags: Hidden},
	{Name: "active-expire-effort", Kind: Int, Default: "1", Min: 1, Max: 10},
	{Name: "hz", Kind: Int, Default: "10", Min: 0, Max: intMax, Clamp: [2]int64{1, 500}},
	{Name: "min-replicas-to-write", Aliases: []string{"min-slaves-to-write"}, Kind: Int, Default: "0", Min: 0, Max: intMax},
	{Name: "min-replicas-max-lag", Aliases: []string{"min-slaves-max-lag"}, Kind: Int, Default: "10", Min: 0, Max: intMax},
	{Name: "watchdog-period", Kind: Int, Default: "0", Min: 0, Max: intMax, Flags: Hidden},
	{Name: "shutdown-timeout", Kind: Int, Default: "10", Min: 0, Max: intMax},
	{Name: "repl-diskless-sync-max-replicas", Kind: Int, Default: "0", Min: 0, Max: intMax},
	{Name: "maxclients", Kind: Int, Default: "10000", Min: 1, Max: uintMax, Unsigned: true},
	{Name: "unixsocketperm", Kind: Int, Default: "0", Min: 0, Max: 0o777, Unsigned: true, Octal: true, Flags: Immutable},
	{Name: "socket-mark-id", Kind: Int, Default: "0", Min: 0, Max: uintMax, Unsigned: true, Flags: Immutable},
	{Name: "active-defrag-max-scan-fields", Kind: Int, Default: "1000", Min: 1, Max: llongMax},
	{Name: "slowlog-max-len", Kind: Int, Default: "128", Min: 0, Max: llongMax},
	{Name: "acllog-max-len", Kind: Int, Default: "128", Min: 0, Max: llongMax},
	{Name: "busy-reply-threshold", Aliases: []string{"lua-time-limit"}, Kind: Int, Default: "5000", Min: 0, Max: llongMax},
	{Name: "cluster-node-timeout", Kind: Int, Default: "15000", Min: 0, Max: llongMax},
	{Name: "slowlog-log-slower-than", Kind: Int, Default: "10000", Min: -1, Max: llongMax},
	{Name: "latency-monitor-threshold", Kind: Int, Default: "0", Min: 0, Max: llongMax},
	{Name: "stream-node-max-entries", Kind: Int, Default: "100", Min: 0, Max: llongMax},
	{Name: "hash-max-listpack-entries", Aliases: []string{"hash-max-ziplist-entries"}, Kind: Int, Default: "512", Min: 0, Max: llongMax, Unsigned: true},
	{Name: "set-max-intset-entries", Kind: Int, Default: "512", Min: 0, Max: llongMax, Unsigned: true},
	{Name: "zset-max-listpack-entries", Aliases: []string{"zset-max-ziplist-entries"}, Kind: Int, Default: "128", Min: 0, Max: llongMax, Unsigned: true},
	{Name: "tracking-table-max-keys", Kind: Int, Default: "1000000", Min: 0, Max: llongMax, Unsigned: true},
	{Name: "repl-backlog-ttl", Kind: Int, Default: "3600", Min: 0, Max: llongMax},
	{Name: "loading-process-events-interval-bytes", Kind: Int, Default: "2097152", Min: 1024, Max: intMax, Flags: Hidden},

	// Memory amounts.
	{Name: "proto-max-bulk-len", Kind: Memory, Default: "536870912", Min: 1024 * 1024, Max: llongMax},
	{Name: "repl-backlog-size", Kind: Memory, Default: "1048576", Min: 1, Max: llongMax, SetMin: 16 * 1024},
	{Name: "maxmemory", Kind: Memory, Default: "0", Min: 0, Max: ullongMax, Unsigned: true},
	{Name: "cluster-link-sendbuf-limit", Kind: Memory, Default: "0", Min: 0, Max: ullongMax, Unsigned: true},
	{Name: "active-defrag-ignore-bytes", Kind: Memory, Default: "104857600", Min: 1, Max: llongMax, Unsigned: true},
	{Name: "hash-max-listpack-value", Aliases: []string{"hash-max-ziplist-value"}, Kind: Memory, Default: "64", Min: 0, Max: llongMax, Unsigned: true},
	{Name: "stream-node-max-bytes", Kind: Memory, Default: "4096", Min: 0, Max: llongMax, Unsigned: true},
	{Name: "zset-max-listpack-value", Aliases: []string{"zset-max-ziplist-value"}, Kind: Memory, Default: "64", Min: 0, Max: llongMax, Unsigned: true},
	{Name: "hll-sparse-max-bytes", Kind: Memory, Default: "3000", Min: 0, Max: llongMax, Unsigned: true},
	{Name: "client-query-buffer-limit", Kind: Memory, Default: "1073741824", Min: 1024 * 1024, Max: llongMax, Unsigned: true},
	{Name: "maxmemory-clients", Kind: Memory, Default: "0", Min: -100, Max: llongMax, Percent: true},
	{Name: "auto-aof-rewrite-min-size", Kind: Memory, Default: "67108864", Min: 0, Max: llongMax},

	// TLS (Debian's redis-server is built with it).
	{Name: "tls-port", Kind: Int, Default: "0", Min: 0, Max: 65535},
	{Name: "tls-session-cache-size", Kind: Int, Default: "20480", Min: 0, Max: intMax},
	{Name: "tls-session-cache-timeout", Kind: Int, Default: "300", Min: 0, Max: intMax},
	{Name: "tls-cluster", Kind: Bool, Default: "no"},
	{Name: "tls-replication", Kind: Bool, Default: "no"},
	{Name: "tls-auth-clients", Kind: Enum, Enum: enumTLSAuth, Default: "yes"},
	{Name: "tls-prefer-server-ciphers", Kind: Bool, Default: "no"},
	{Name: "tls-session-caching", Kind: Bool, Default: "yes"},
	{Name: "tls-cert-file", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-key-file", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-key-file-pass", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-client-cert-file", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-client-key-file", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-client-key-file-pass", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-dh-params-file", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-ca-cert-file", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-ca-cert-dir", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-protocols", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-ciphers", Kind: String, Flags: EmptyIsNull},
	{Name: "tls-ciphersuites", Kind: String, Flags: EmptyIsNull},

	// Directives with their own syntax (special.go).
	{Name: "dir", Kind: Special, Flags: Protected | DenyLoading, special: &dirSpecial},
	{Name: "save", Kind: Special, Default: "3600 1 300 100 60 10000", Flags: MultiArg, special: &saveSpecial},
	{Name: "client-output-buffer-limit", Kind: Special, Default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", Flags: MultiArg, special: &obufSpecial},
	{Name: "oom-score-adj-values", Kind: Special, Default: "0 200 800", Flags: MultiArg, special: &oomValuesSpecial},
	{Name: "notify-keyspace-events", Kind: Special, Default: "", special: &notifySpecial},
	{Name: "bind", Kind: Special, Default: "* -::*", Flags: MultiArg, special: &bindSpecial},
	{Name: "replicaof", Aliases: []string{"slaveof"}, Kind: Special, Default: "", Flags: Immutable | MultiArg, special: &replicaofSpecial},
	{Name: "latency-tracking-info-percentiles", Kind: Special, Default: "50 99 99.9", Flags: MultiArg, special: &percentilesSpecial},
}
