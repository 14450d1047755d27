package compat

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-kv/ember"
	"github.com/ember-kv/ember/embertest"
	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/server"
)

// srvEnvDirectives are the directives whose values depend on how and where
// each server was started (port, files, and the harness's --bind/--save).
var srvEnvDirectives = map[string]bool{
	"dir": true, "port": true, "logfile": true, "pidfile": true, "bind": true, "save": true,
}

// srvConfigNormalize sorts the pairs of a CONFIG GET reply (Redis lists
// them in hash order) and drops the environment-dependent ones.
func srvConfigNormalize(args []string, reply []byte) []byte {
	return srvConfigNormalizeExcept(srvEnvDirectives, args, reply)
}

// srvConfigNormalizeExcept is srvConfigNormalize dropping the directives
// in exclude.
func srvConfigNormalizeExcept(exclude map[string]bool, args []string, reply []byte) []byte {
	if len(args) < 2 || !strings.EqualFold(args[0], "CONFIG") || !strings.EqualFold(args[1], "GET") {
		return reply
	}
	t, err := parseReplyTree(reply)
	if err != nil || (t.kind != '*' && t.kind != '%') {
		return reply
	}
	type kv struct{ k, v *replyTree }
	var ps []kv
	for i := 0; i+1 < len(t.elems); i += 2 {
		if exclude[strings.ToLower(t.elems[i].text())] {
			continue
		}
		ps = append(ps, kv{t.elems[i], t.elems[i+1]})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].k.text() < ps[j].k.text() })
	n := len(ps)
	if t.kind == '*' {
		n *= 2
	}
	out := &replyTree{kind: t.kind, head: []byte(fmt.Sprintf("%c%d\r\n", t.kind, n))}
	for _, p := range ps {
		out.elems = append(out.elems, p.k, p.v)
	}
	return out.encode()
}

// srvStartRedis starts a redis-server with only the given arguments (and a
// free port), in a temporary directory, for tests that need Redis's
// defaults. It is stopped when the test ends.
func srvStartRedis(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	dir := t.TempDir()
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, append([]string{"--port", strconv.Itoa(port), "--logfile", filepath.Join(dir, "log")}, args...)...)
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		if waitReady(addr, 10*time.Second) {
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			return addr
		}
		cmd.Process.Kill()
		cmd.Wait()
	}
	t.Fatal("redis-server did not start")
	return ""
}

// srvPair connects to a dedicated Redis and Ember.
func srvPair(t *testing.T, redisAddr, emberAddr string) *Pair {
	t.Helper()
	rc, err := Dial(redisAddr)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := Dial(emberAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close(); ec.Close() })
	return &Pair{T: t, Redis: rc, Ember: ec}
}

// TestConfigGetDefaults compares CONFIG GET * of a Redis and an Ember
// started with nothing but a port: same names, same values (the
// environment-dependent ones aside).
func TestConfigGetDefaults(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	raddr := srvStartRedis(t)
	e := embertest.Run(t)
	p := srvPair(t, raddr, e.Addr())
	// Started alike, the two also agree on bind and save.
	exclude := map[string]bool{"dir": true, "port": true, "logfile": true}
	p.Normalize = func(args []string, reply []byte) []byte { return srvConfigNormalizeExcept(exclude, args, reply) }
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		p.Check("CONFIG", "GET", "*")
		p.Check("CONFIG", "GET", "save")
		p.Check("CONFIG", "GET", "bind")
		p.Check("CONFIG", "GET", "pidfile")
		p.Check("CONFIG", "GET", "*max*", "*slave*", "tls-*")
	}
}

func TestConfigGet(t *testing.T) {
	p := pair(t)
	p.Normalize = srvConfigNormalize
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		p.CheckAll(Script(`
			CONFIG GET *
			CONFIG GET maxmemory
			CONFIG GET MAXMEMORY
			CONFIG GET maxmemory MAXMEMORY
			CONFIG GET maxmemory*
			CONFIG GET maxmemory* maxmemory
			CONFIG GET maxmemory maxmemory*
			CONFIG GET *memory* *MEMORY*
			CONFIG GET slaveof
			CONFIG GET replicaof slaveof
			CONFIG GET slave*
			CONFIG GET *slave* *replica*
			CONFIG GET ?ort
			CONFIG GET [pt]*
			CONFIG GET [^a-r]*
			CONFIG GET hz hz hz
			CONFIG GET nosuch
			CONFIG GET nosuch*
			CONFIG GET ""
			CONFIG GET *-*-*-*-*
			CONFIG GET client-output-buffer-limit
			CONFIG GET notify-keyspace-events
			CONFIG GET latency-tracking-info-percentiles
			CONFIG GET oom-score-adj-values
			CONFIG GET shutdown-on-sigint shutdown-on-sigterm
			CONFIG GET list-max-ziplist-size list-max-listpack-size
			CONFIG GET key-load-delay
			CONFIG GET key-load-delay*
			CONFIG GET use-exit-on-panic watchdog-period rdb-key-save-delay loading-process-events-interval-bytes
			CONFIG GET enable-debug-command
			CONFIG GET requirepass masterauth masteruser
			CONFIG GET
			CONFIG
			CONFIG FOO
			CONFIG GET a b c d e f
		`))
	}
	p.Both("HELLO", "2")
}

// srvRestore records the values of directives and puts them back when the
// test ends, on both servers.
func srvRestore(t *testing.T, p *Pair, names ...string) {
	t.Helper()
	var pairs []string
	for _, n := range names {
		reply, err := p.Redis.Do("CONFIG", "GET", n)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := parseReplyTree(reply)
		if err != nil || len(tr.elems) != 2 {
			t.Fatalf("CONFIG GET %s: %q", n, reply)
		}
		pairs = append(pairs, n, tr.elems[1].text())
	}
	t.Cleanup(func() {
		args := append([]string{"CONFIG", "SET"}, pairs...)
		for _, c := range []*Conn{p.Redis, p.Ember} {
			if r, err := c.Do(args...); err != nil || string(r) != "+OK\r\n" {
				t.Errorf("restoring %q: %q %v", pairs, r, err)
			}
		}
	})
}

// srvSafeDirectives can be changed on the shared servers without changing
// what other tests see (they are restored afterwards).
var srvSafeDirectives = []string{
	"hz", "loglevel", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
	"slowlog-log-slower-than", "slowlog-max-len", "latency-monitor-threshold", "lfu-log-factor",
	"lfu-decay-time", "active-expire-effort", "replica-priority", "repl-backlog-ttl",
	"repl-timeout", "repl-ping-replica-period", "min-replicas-max-lag", "min-replicas-to-write",
	"tcp-keepalive", "stream-node-max-bytes", "stream-node-max-entries", "hll-sparse-max-bytes",
	"tracking-table-max-keys", "acllog-max-len", "busy-reply-threshold", "cluster-node-timeout",
	"auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size", "maxmemory-clients",
	"repl-backlog-size", "client-query-buffer-limit", "proto-max-bulk-len", "active-defrag-ignore-bytes",
	"active-defrag-cycle-min", "active-defrag-cycle-max", "active-defrag-threshold-lower",
	"active-defrag-threshold-upper", "active-defrag-max-scan-fields", "cluster-link-sendbuf-limit",
	"activerehashing", "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
	"lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "replica-lazy-flush", "rdbcompression",
	"stop-writes-on-bgsave-error", "dynamic-hz", "latency-tracking", "crash-log-enabled",
	"crash-memcheck-enabled", "replica-read-only", "replica-serve-stale-data", "protected-mode",
	"appendfsync", "acl-pubsub-default", "sanitize-dump-payload", "propagation-error-behavior",
	"shutdown-on-sigint", "shutdown-on-sigterm", "shutdown-timeout", "latency-tracking-info-percentiles",
	"oom-score-adj-values", "cluster-announce-hostname", "replica-announce-ip", "ignore-warnings",
	"cluster-preferred-endpoint-type", "tls-session-cache-timeout", "tls-session-caching",
	"no-appendfsync-on-rewrite", "jemalloc-bg-thread", "aof-use-rdb-preamble", "activedefrag",
	"replica-announce-port", "lua-time-limit", "slave-priority",
}

func TestConfigSet(t *testing.T) {
	p := pair(t)
	p.Normalize = srvConfigNormalize
	srvRestore(t, p, append([]string{"client-output-buffer-limit", "notify-keyspace-events",
		"proc-title-template", "maxmemory"}, srvSafeDirectives...)...)
	p.CheckAll(Script(`
		CONFIG SET hz 20
		CONFIG GET hz
		CONFIG SET hz 1000
		CONFIG GET hz
		CONFIG SET hz 0
		CONFIG GET hz
		CONFIG SET hz -1
		CONFIG SET hz abc
		CONFIG SET hz 10
		CONFIG SET HZ 11
		CONFIG GET hz
		CONFIG SET maxmemory 1gb
		CONFIG GET maxmemory
		CONFIG SET maxmemory 1k
		CONFIG GET maxmemory
		CONFIG SET maxmemory 18446744073709551615
		CONFIG GET maxmemory
		CONFIG SET maxmemory 99999999999999999999kb
		CONFIG GET maxmemory
		CONFIG SET maxmemory ""
		CONFIG GET maxmemory
		CONFIG SET maxmemory -1
		CONFIG SET maxmemory "1 gb"
		CONFIG SET maxmemory 1.5gb
		CONFIG SET maxmemory 0
		CONFIG SET maxmemory-clients 10%
		CONFIG GET maxmemory-clients
		CONFIG SET maxmemory-clients 100%
		CONFIG SET maxmemory-clients 101%
		CONFIG SET maxmemory-clients -5
		CONFIG SET maxmemory-clients x%
		CONFIG SET maxmemory-clients 0
		CONFIG SET proto-max-bulk-len 1k
		CONFIG SET proto-max-bulk-len 2mb
		CONFIG GET proto-max-bulk-len
		CONFIG SET proto-max-bulk-len 512mb
		CONFIG SET loglevel WARNING
		CONFIG GET loglevel
		CONFIG SET loglevel foo
		CONFIG SET loglevel "notice verbose"
		CONFIG SET loglevel notice
		CONFIG SET maxmemory-policy allkeys-lru
		CONFIG GET maxmemory-policy
		CONFIG SET maxmemory-policy nope
		CONFIG SET maxmemory-policy noeviction
		CONFIG SET activerehashing no
		CONFIG GET activerehashing
		CONFIG SET activerehashing maybe
		CONFIG SET activerehashing YES
		CONFIG SET slave-read-only no
		CONFIG GET replica-read-only slave-read-only
		CONFIG SET replica-read-only yes
		CONFIG SET shutdown-on-sigint "now save"
		CONFIG GET shutdown-on-sigint
		CONFIG SET shutdown-on-sigint "save nosave"
		CONFIG SET shutdown-on-sigint ""
		CONFIG SET shutdown-on-sigint "default"
		CONFIG SET notify-keyspace-events KEA
		CONFIG GET notify-keyspace-events
		CONFIG SET notify-keyspace-events Elg$xn
		CONFIG GET notify-keyspace-events
		CONFIG SET notify-keyspace-events KEQ
		CONFIG SET notify-keyspace-events ""
		CONFIG SET client-output-buffer-limit "pubsub 64mb 16mb 90"
		CONFIG GET client-output-buffer-limit
		CONFIG SET client-output-buffer-limit "replica 1 2 3 pubsub 4 5 6"
		CONFIG GET client-output-buffer-limit
		CONFIG SET client-output-buffer-limit ""
		CONFIG GET client-output-buffer-limit
		CONFIG SET client-output-buffer-limit "pubsub 1 2"
		CONFIG SET client-output-buffer-limit "master 1 2 3"
		CONFIG SET client-output-buffer-limit "pubsub 1x 2 3"
		CONFIG SET client-output-buffer-limit "pubsub 1 2 -3"
		CONFIG SET client-output-buffer-limit "pubsub 1 2 3x"
		CONFIG SET latency-tracking-info-percentiles "50.5 99 0"
		CONFIG GET latency-tracking-info-percentiles
		CONFIG SET latency-tracking-info-percentiles ""
		CONFIG GET latency-tracking-info-percentiles
		CONFIG SET latency-tracking-info-percentiles "50 x"
		CONFIG SET latency-tracking-info-percentiles "101"
		CONFIG SET latency-tracking-info-percentiles "50 99 99.9"
		CONFIG SET oom-score-adj-values "1 2"
		CONFIG SET oom-score-adj-values "0 200 3000"
		CONFIG SET oom-score-adj-values "0 200 800"
		CONFIG SET activedefrag yes
		CONFIG SET activedefrag no
		CONFIG SET proc-title-template "{foo}"
		CONFIG SET proc-title-template "{title}"
		CONFIG SET proc-title-template "{port} {{x"
		CONFIG GET proc-title-template
		CONFIG SET proc-title-template "{title} {listen-addr} {server-mode}"
		CONFIG SET cluster-announce-hostname "bad_host"
		CONFIG SET cluster-announce-hostname "good-host.example"
		CONFIG GET cluster-announce-hostname
		CONFIG SET cluster-announce-hostname ""
		CONFIG SET hz 12 maxmemory-samples 7 loglevel verbose
		CONFIG GET hz maxmemory-samples loglevel
		CONFIG SET hz 13 maxmemory-samples 0
		CONFIG GET hz maxmemory-samples
		CONFIG SET hz 10 maxmemory-samples 5 loglevel notice
	`))
}

func TestConfigSetErrors(t *testing.T) {
	p := pair(t)
	srvRestore(t, p, "hz", "maxmemory")
	p.CheckAll(Script(`
		CONFIG SET
		CONFIG SET hz
		CONFIG SET hz 10 maxmemory
		CONFIG SET foo bar
		CONFIG SET FOO bar
		CONFIG SET hz 10 foo bar
		CONFIG SET foo bar hz x
		CONFIG SET daemonize yes
		CONFIG SET DAEMONIZE no
		CONFIG SET daemonize yes foo bar
		CONFIG SET foo bar daemonize yes
		CONFIG SET databases 1
		CONFIG SET port 1 databases 1
		CONFIG SET slaveof "127.0.0.1 1"
		CONFIG SET replicaof "no one"
		CONFIG SET unixsocket /tmp/x
		CONFIG SET enable-debug-command no
		CONFIG SET dir /tmp
		CONFIG SET dbfilename x.rdb
		CONFIG SET hz 10 HZ 11
		CONFIG SET replica-read-only yes slave-read-only yes
		CONFIG SET maxmemory 1 maxmemory 2
		CONFIG SET hz 15 maxmemory x
		CONFIG GET hz
		CONFIG SET maxmemory x hz 15
		CONFIG SET hz 15 SLAVE-READ-ONLY x
		CONFIG GET hz
		CONFIG SET hz 15 appendonly x
		CONFIG SET save "1 2 3"
		CONFIG SET save "0 1"
		CONFIG SET save "10 -1"
		CONFIG SET bind "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"
		CONFIG SET appendfilename x
		CONFIG RESETSTAT x
		CONFIG REWRITE x
		CONFIG HELP x
	`))
}

// TestConfigSetRandom sends a random stream of CONFIG SET / CONFIG GET
// with values valid and not, and compares every reply.
func TestConfigSetRandom(t *testing.T) {
	p := pair(t)
	p.Normalize = srvConfigNormalize
	srvRestore(t, p, srvSafeDirectives...)
	rnd := Rand(t)
	values := []string{
		"0", "1", "-1", "2", "5", "10", "99", "100", "101", "1000", "65535", "65536", "2147483647",
		"2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "18446744073709551615", "01", "+1", " 1", "1 ",
		"", "abc", "1k", "1kb", "1K", "1KB", "1m", "1mb", "1g", "1gb", "1tb", "2mb", "64mb", "1.5",
		"0x10", "1%", "50%", "100%", "101%", "-1%", "yes", "no", "YES", "No", "maybe",
		"everysec", "always", "noeviction", "allkeys-lru", "volatile-ttl", "ALLKEYS-LFU", "debug",
		"notice", "warning", "verbose", "allchannels", "resetchannels", "clients", "panic",
		"panic-on-replicas", "ignore", "hostname", "ip", "unknown-endpoint", "default", "save",
		"nosave", "now", "force", "now force", "save nosave", "50 99", "0 100", "50 x", "99.9 99.99",
		"0 200 800", "-2000 0 2000", "1 2", "host-name", "bad_host", "a.b.c", "1 2 3",
	}
	const n = 2000
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		name := srvSafeDirectives[rnd.IntN(len(srvSafeDirectives))]
		switch rnd.IntN(4) {
		case 0:
			p.Check("CONFIG", "GET", name)
		case 1:
			other := srvSafeDirectives[rnd.IntN(len(srvSafeDirectives))]
			p.Check("CONFIG", "SET", name, values[rnd.IntN(len(values))], other, values[rnd.IntN(len(values))])
		default:
			p.Check("CONFIG", "SET", name, values[rnd.IntN(len(values))])
		}
		if t.Failed() {
			return
		}
	}
	for _, name := range srvSafeDirectives {
		p.Check("CONFIG", "GET", name)
	}
}

// srvInfo parses an INFO reply into its sections, each with its field
// names in order.
type srvInfoSection struct {
	title  string
	fields []string
	lines  []string
}

func srvParseInfo(t *testing.T, reply []byte) []srvInfoSection {
	t.Helper()
	tr, err := parseReplyTree(reply)
	if err != nil {
		t.Fatalf("INFO reply %q: %v", reply, err)
	}
	text := tr.text()
	if tr.kind == '=' {
		if !strings.HasPrefix(text, "txt:") {
			t.Fatalf("INFO verbatim reply without txt: %q", reply)
		}
		text = text[4:]
	} else if tr.kind != '$' {
		t.Fatalf("INFO reply type %c", tr.kind)
	}
	var out []srvInfoSection
	for _, line := range strings.Split(text, "\r\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "# "):
			out = append(out, srvInfoSection{title: line[2:]})
		default:
			if len(out) == 0 {
				t.Fatalf("INFO field before any section: %q", line)
			}
			name, _, ok := strings.Cut(line, ":")
			if !ok {
				t.Fatalf("INFO line without ':': %q", line)
			}
			s := &out[len(out)-1]
			s.fields = append(s.fields, name)
			s.lines = append(s.lines, line)
		}
	}
	return out
}

// srvDynamicSections list entries rather than fixed fields.
var srvDynamicSections = map[string]bool{"Commandstats": true, "Errorstats": true, "Latencystats": true, "Keyspace": true}

// TestInfoFields compares, for every way of asking, the sections INFO
// returns and the names and order of their fields.
func TestInfoFields(t *testing.T) {
	p := pair(t)
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		for _, args := range [][]string{
			{}, {"default"}, {"all"}, {"everything"}, {"DEFAULT"},
			{"server"}, {"clients"}, {"memory"}, {"persistence"}, {"stats"}, {"replication"},
			{"cpu"}, {"modules"}, {"module_list"}, {"errorstats"}, {"cluster"}, {"keyspace"},
			{"commandstats"}, {"latencystats"}, {"SERVER"}, {"Memory"},
			{"server", "keyspace"}, {"keyspace", "server"}, {"server", "server"},
			{"default", "commandstats"}, {"all", "server"}, {"nosuch"}, {"nosuch", "cpu"},
			{"everything", "default"},
		} {
			cmd := append([]string{"INFO"}, args...)
			want, err := p.Redis.Do(cmd...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Ember.Do(cmd...)
			if err != nil {
				t.Fatal(err)
			}
			if (want[0] == '=') != (got[0] == '=') {
				t.Errorf("RESP%s %q: reply types %c and %c", proto, cmd, want[0], got[0])
			}
			ws, gs := srvParseInfo(t, want), srvParseInfo(t, got)
			var wt, gt []string
			for _, s := range ws {
				wt = append(wt, s.title)
			}
			for _, s := range gs {
				gt = append(gt, s.title)
			}
			if strings.Join(wt, ",") != strings.Join(gt, ",") {
				t.Errorf("RESP%s %q sections:\n redis %v\n ember %v", proto, cmd, wt, gt)
				continue
			}
			for i := range ws {
				if srvDynamicSections[ws[i].title] {
					continue
				}
				// Ember adds ember_version at the end of Server.
				g := gs[i].fields
				if ws[i].title == "Server" && len(g) > 0 && g[len(g)-1] == "ember_version" {
					g = g[:len(g)-1]
				}
				if strings.Join(ws[i].fields, ",") != strings.Join(g, ",") {
					t.Errorf("RESP%s %q section %s fields:\n redis %v\n ember %v", proto, cmd, ws[i].title, ws[i].fields, g)
				}
			}
			if len(args) == 1 && strings.EqualFold(args[0], "nosuch") {
				if string(want) != string(got) {
					t.Errorf("INFO nosuch: %q vs %q", want, got)
				}
			}
		}
	}
	p.Both("HELLO", "2")
}

// srvInfoSectionLines returns the lines of one INFO section, sorted, with
// the fields that are timings removed.
func srvInfoSectionLines(t *testing.T, c *Conn, section string) []string {
	t.Helper()
	reply, err := c.Do("INFO", section)
	if err != nil {
		t.Fatal(err)
	}
	ss := srvParseInfo(t, reply)
	if len(ss) != 1 {
		t.Fatalf("INFO %s: %d sections", section, len(ss))
	}
	usec := regexp.MustCompile(`,usec=\d+,usec_per_call=[\d.]+`)
	var out []string
	for _, l := range ss[0].lines {
		out = append(out, usec.ReplaceAllString(l, ""))
	}
	sort.Strings(out)
	return out
}

// TestInfoStatsSections compares the values of commandstats, errorstats
// and keyspace after the same commands on freshly reset servers.
func TestInfoStatsSections(t *testing.T) {
	p := pair(t)
	p.Check("CONFIG", "RESETSTAT")
	p.CheckAll(Script(`
		SET a 1
		SET b 2
		SET c 3 EX 100
		GET a
		GET nosuch
		INCR a
		INCR b
		HELLO 4
		NOSUCHCOMMAND x
		GET
		GET a b
		CONFIG GET hz
		CONFIG SET nosuch 1
		CONFIG FOO
		SELECT 1
		SET d 4
		SELECT 0
		DEBUG SLEEP 0
	`))
	for _, section := range []string{"commandstats", "errorstats"} {
		w, g := srvInfoSectionLines(t, p.Redis, section), srvInfoSectionLines(t, p.Ember, section)
		if strings.Join(w, "\n") != strings.Join(g, "\n") {
			t.Errorf("INFO %s:\n redis %q\n ember %q", section, w, g)
		}
	}
	w, g := srvInfoSectionLines(t, p.Redis, "keyspace"), srvInfoSectionLines(t, p.Ember, "keyspace")
	trim := regexp.MustCompile(`,avg_ttl=\d+`)
	for i := range w {
		w[i] = trim.ReplaceAllString(w[i], "")
	}
	for i := range g {
		g[i] = trim.ReplaceAllString(g[i], "")
	}
	if strings.Join(w, "\n") != strings.Join(g, "\n") {
		t.Errorf("INFO keyspace:\n redis %q\n ember %q", w, g)
	}
	p.Check("CONFIG", "RESETSTAT")
	for _, section := range []string{"commandstats", "errorstats"} {
		w, g := srvInfoSectionLines(t, p.Redis, section), srvInfoSectionLines(t, p.Ember, section)
		if strings.Join(w, "\n") != strings.Join(g, "\n") {
			t.Errorf("INFO %s after RESETSTAT:\n redis %q\n ember %q", section, w, g)
		}
	}
	p.Both("FLUSHALL")
}

var srvDigits = regexp.MustCompile(`^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$`)

// TestTimeAndLastsave compares the shapes of TIME and LASTSAVE and checks
// that both servers agree on the time.
func TestTimeAndLastsave(t *testing.T) {
	p := pair(t)
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		w, _ := p.Redis.Do("TIME")
		g, _ := p.Ember.Do("TIME")
		mw, mg := srvDigits.FindStringSubmatch(string(w)), srvDigits.FindStringSubmatch(string(g))
		if mw == nil || mg == nil {
			t.Fatalf("TIME: redis %q ember %q", w, g)
		}
		ws, _ := strconv.ParseInt(mw[1], 10, 64)
		gs, _ := strconv.ParseInt(mg[1], 10, 64)
		gu, _ := strconv.ParseInt(mg[2], 10, 64)
		if d := gs - ws; d < -2 || d > 2 || gu >= 1e6 {
			t.Errorf("TIME: redis %q ember %q", w, g)
		}
		for _, c := range []*Conn{p.Redis, p.Ember} {
			r, _ := c.Do("LASTSAVE")
			if !regexp.MustCompile(`^:\d+\r\n$`).Match(r) {
				t.Errorf("LASTSAVE: %q", r)
			}
		}
		p.CheckAll(Script(`
			TIME x
			LASTSAVE x
		`))
	}
	p.Both("HELLO", "2")
}

func TestDebugCommand(t *testing.T) {
	p := pair(t)
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		p.CheckAll(Script(`
			DEBUG SLEEP 0
			DEBUG SLEEP 0.01
			debug sleep .002
			DEBUG SLEEP abc
			DEBUG SLEEP -1
			DEBUG SLEEP 1e-9
			DEBUG SLEEP nan
			DEBUG SLEEP -inf
			DEBUG SLEEP ""
			DEBUG SLEEP
			DEBUG SLEEP 0 0
			DEBUG
			DEBUG FOO
			DEBUG FOO bar
			DEBUG LOG "hello from the tests"
			DEBUG PROTOCOL string
			DEBUG PROTOCOL integer
			DEBUG PROTOCOL double
			DEBUG PROTOCOL bignum
			DEBUG PROTOCOL null
			DEBUG PROTOCOL array
			DEBUG PROTOCOL set
			DEBUG PROTOCOL map
			DEBUG PROTOCOL true
			DEBUG PROTOCOL FALSE
			DEBUG PROTOCOL verbatim
			DEBUG PROTOCOL nosuch
			DEBUG PROTOCOL
		`))
		// attrib and push are followed by a second reply.
		for _, typ := range []string{"attrib", "push"} {
			p.Check("DEBUG", "PROTOCOL", typ)
			if proto == "3" {
				w, err1 := p.Redis.Read()
				g, err2 := p.Ember.Read()
				if err1 != nil || err2 != nil || !bytes.Equal(w, g) {
					t.Errorf("DEBUG PROTOCOL %s second reply: %q %v / %q %v", typ, w, err1, g, err2)
				}
			}
		}
	}
	p.Both("HELLO", "2")
	// DEBUG SLEEP holds only its own client: another one is served meanwhile.
	c, err := Dial(emberSrv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Send(Encode("DEBUG", "SLEEP", "0.5")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if r, err := p.Ember.Do("SET", "k", "v"); err != nil || string(r) != "+OK\r\n" {
		t.Fatalf("SET during DEBUG SLEEP: %q %v", r, err)
	}
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("SET waited %v for another client's DEBUG SLEEP", d)
	}
	if r, err := c.Read(); err != nil || string(r) != "+OK\r\n" {
		t.Errorf("DEBUG SLEEP: %q %v", r, err)
	}
}

// TestDebugProtected: DEBUG is refused unless enable-debug-command allows
// it, with Redis's message; "local" allows loopback clients.
func TestDebugProtected(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	for _, mode := range []string{"no", "local", "yes"} {
		raddr := srvStartRedis(t, "--enable-debug-command", mode)
		e := embertest.Run(t, ember.Config{Directives: map[string]string{"enable-debug-command": mode}})
		p := srvPair(t, raddr, e.Addr())
		p.Both("CONFIG", "RESETSTAT")
		p.CheckAll(Script(`
			DEBUG SLEEP 0
			DEBUG
			DEBUG FOO
			debug help x
			CONFIG GET enable-debug-command
			CONFIG SET enable-debug-command yes
			INFO nosuch
		`))
		w := srvInfoSectionLines(t, p.Redis, "errorstats")
		g := srvInfoSectionLines(t, p.Ember, "errorstats")
		if strings.Join(w, ",") != strings.Join(g, ",") {
			t.Errorf("%s: errorstats redis %q ember %q", mode, w, g)
		}
		w = srvInfoSectionLines(t, p.Redis, "commandstats")
		g = srvInfoSectionLines(t, p.Ember, "commandstats")
		if strings.Join(w, ",") != strings.Join(g, ",") {
			t.Errorf("%s: commandstats redis %q ember %q", mode, w, g)
		}
	}
}

func TestShutdownErrors(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		SHUTDOWN foo
		SHUTDOWN ABORT
		shutdown abort
		SHUTDOWN ABORT NOW
		SHUTDOWN NOW ABORT
		SHUTDOWN SAVE NOSAVE
		SHUTDOWN NOSAVE SAVE NOW
		SHUTDOWN NOW FORCE bar
	`))
}

func TestServerCommandInfo(t *testing.T) {
	p := pair(t)
	names := []string{"info", "config", "time", "lastsave", "shutdown", "debug"}
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		p.Normalize = genSortSubcommands
		for _, n := range names {
			p.Check("COMMAND", "INFO", n)
		}
		for _, sub := range []string{"get", "set", "resetstat", "rewrite", "help"} {
			p.Check("COMMAND", "INFO", "config|"+sub)
		}
		p.Check(append([]string{"COMMAND", "INFO"}, names...)...)
		p.Check("COMMAND", "GETKEYS", "CONFIG", "GET", "x")
		p.Check("COMMAND", "GETKEYS", "DEBUG", "SLEEP", "0")
	}
	p.Both("HELLO", "2")
}

// TestConfigRewrite runs CONFIG REWRITE on a Redis and an Ember started
// from the same file after the same CONFIG SETs, and compares the files:
// the kept part line by line, the appended part as a set (Redis appends
// in hash order).
func TestConfigRewrite(t *testing.T) {
	if redisSrv == nil {
		t.Skip(redisErr.Error())
	}
	dir := t.TempDir()
	conf := "# Example\n\nmaxmemory 100mb\nloglevel verbose\n  # indented comment\nhz 15\nhz 16\nslave-read-only no\nsave 60 1\nsave 300 10\n\n\nappendonly no\nlist-max-ziplist-entries 5\n"
	rconf, econf := filepath.Join(dir, "redis.conf"), filepath.Join(dir, "ember.conf")
	for _, f := range []string{rconf, econf} {
		if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rport, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("redis-server", rconf, "--port", strconv.Itoa(rport), "--dir", dir)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	raddr := "127.0.0.1:" + strconv.Itoa(rport)
	if !waitReady(raddr, 10*time.Second) {
		t.Fatal("redis-server did not start")
	}
	e := srvStartEmber(t, econf, "--port", strconv.Itoa(rport), "--dir", dir)
	p := srvPair(t, raddr, e)
	p.CheckAll(Script(`
		CONFIG SET maxmemory 0 loglevel notice hz 10 notify-keyspace-events KEA
		CONFIG SET maxmemory-clients 5% client-output-buffer-limit "pubsub 1mb 2000 5" appendonly no
		CONFIG SET replica-read-only yes save "3600 1"
		CONFIG SET requirepass ""
		CONFIG REWRITE
		CONFIG REWRITE x
	`))
	rb, _ := os.ReadFile(rconf)
	eb, _ := os.ReadFile(econf)
	split := func(b []byte) (kept, added []string) {
		lines := strings.Split(string(b), "\n")
		for i, l := range lines {
			if l == "# Generated by CONFIG REWRITE" {
				kept, added = lines[:i], lines[i+1:]
				break
			}
		}
		var keep []string
		for _, l := range added {
			// dir is where each server runs; user is Redis's ACL, which
			// Ember does not have.
			if l != "" && !strings.HasPrefix(l, "dir ") && !strings.HasPrefix(l, "user ") {
				keep = append(keep, l)
			}
		}
		sort.Strings(keep)
		return kept, keep
	}
	rk, ra := split(rb)
	ek, ea := split(eb)
	if strings.Join(rk, "\n") != strings.Join(ek, "\n") || strings.Join(ra, "\n") != strings.Join(ea, "\n") {
		t.Errorf("rewritten files differ:\n--- redis\n%s\n--- ember\n%s", rb, eb)
	}
}

// srvStartEmber runs an in-process Ember configured as ember-server would
// be from the same arguments (a file and options), on a free port, and
// returns its address.
func srvStartEmber(t *testing.T, args ...string) string {
	t.Helper()
	cfg := config.New()
	if err := cfg.LoadArgs(args); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(cfg, server.Options{Listeners: []net.Listener{ln}, Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestShutdownEmbedded: SHUTDOWN on an embedded server closes the caller's
// connection without a reply and stops the server, as redis-server exits.
func TestShutdownEmbedded(t *testing.T) {
	e := embertest.Run(t)
	other, err := Dial(e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	c, err := Dial(e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if r, err := c.Do("SHUTDOWN", "NOSAVE", "NOW"); err == nil {
		t.Fatalf("SHUTDOWN replied %q", r)
	}
	if r, err := other.ReadTimeout(5 * time.Second); err == nil {
		t.Errorf("another client got %q after SHUTDOWN", r)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := Dial(e.Addr())
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after SHUTDOWN")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
