package errs

// MONITOR.
const (
	// MonitorDenyBlocking answers MONITOR inside MULTI or a script.
	MonitorDenyBlocking = "ERR MONITOR isn't allowed for DENY BLOCKING client"
	// MonitorKeyspace answers a keyspace command from a client in MONITOR
	// mode (Redis counts monitors as replicas).
	MonitorKeyspace = "ERR Replica can't interact with the keyspace"
)
