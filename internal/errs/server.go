package errs

// Errors of the server group (CONFIG, DEBUG, SHUTDOWN, INFO) and of the
// protected-command and protected-mode checks.
const (
	NoConfigFile     = "ERR The server is running without a config file"
	NoShutdown       = "ERR No shutdown in progress."
	SlowlogCount     = "ERR count should be greater than or equal to -1"
	ShutdownFailed   = "ERR Errors trying to SHUTDOWN. Check logs."
	DebugProtocolArg = "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"
	DebugPushRESP2   = "ERR RESP2 is not supported by this command"

	// ProtectedMode is written to a connection refused by protected mode,
	// before it is closed.
	ProtectedMode = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."
)

// ConfigSetUnknown is CONFIG SET's reply to a name that is no directive.
func ConfigSetUnknown(name string) string {
	return "ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'"
}

// ConfigSetFailed is CONFIG SET's reply to a value it refuses.
func ConfigSetFailed(arg, why string) string {
	return "ERR CONFIG SET failed (possibly related to argument '" + arg + "') - " + why
}

// ConfigRewrite is CONFIG REWRITE's reply when the file cannot be written.
func ConfigRewrite(why string) string { return "ERR Rewriting config file: " + why }

// ProtectedCommand is the reply to DEBUG (or MODULE) when its directive
// (enable-debug-command, enable-module-command) does not allow it.
func ProtectedCommand(command, directive string) string {
	return "ERR " + command + " command not allowed. If the " + directive +
		" option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
}

// LatencyNoSamples is LATENCY GRAPH's reply for an event class with no
// samples.
func LatencyNoSamples(event string) string {
	return "ERR No samples available for event '" + event + "'"
}
