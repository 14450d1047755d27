package errs

// Errors of the stream commands.
const (
	StreamInvalidID       = "ERR Invalid stream ID specified as stream command argument"
	StreamIDTooSmall      = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	StreamIDZero          = "ERR The ID specified in XADD must be greater than 0-0"
	StreamExhausted       = "ERR The stream has exhausted the last possible ID, unable to add more items"
	StreamMaxLenNegative  = "ERR The MAXLEN argument must be >= 0."
	StreamLimitNegative   = "ERR The LIMIT argument must be >= 0."
	StreamMaxLenAndMinID  = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	StreamLimitNoApprox   = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	StreamBadStart        = "ERR invalid start ID for the interval"
	StreamBadEnd          = "ERR invalid end ID for the interval"
	StreamSetIDTooSmall   = "ERR The ID specified in XSETID is smaller than the target stream top item"
	StreamSetIDMaxDeleted = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
	StreamEntriesNegative = "ERR entries_added must be positive"
	StreamEntriesTooSmall = "ERR The entries_added specified in XSETID is smaller than the target stream length"
	StreamUnbalanced      = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
	StreamTimeoutNotInt   = "ERR timeout is not an integer or out of range"
	StreamTimeoutNegative = "ERR timeout is negative"
	StreamXAddArity       = "ERR wrong number of arguments for 'xadd' command"
)

// Errors of XREAD given XREADGROUP's options.
const (
	StreamGroupInXRead = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
	StreamNoAckInXRead = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
	StreamGtInXRead    = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
)

// StreamLimitNoStrategy is XADD/XTRIM's LIMIT without MAXLEN or MINID.
const StreamLimitNoStrategy = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"

// Errors of the consumer group commands.
const (
	StreamXGroupNeedsKey     = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	StreamBusyGroup          = "BUSYGROUP Consumer Group name already exists"
	StreamEntriesReadInvalid = "ERR value for ENTRIESREAD must be positive or -1"
	StreamMissingGroup       = "ERR Missing GROUP option for XREADGROUP"
	StreamDollarInGroup      = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
	StreamGroupGone          = "NOGROUP the consumer group this client was blocked on no longer exists"
	StreamKeyGone            = "UNBLOCKED the stream key no longer exists"
	StreamClaimMinIdle       = "ERR Invalid min-idle-time argument for XCLAIM"
	StreamClaimIdle          = "ERR Invalid IDLE option argument for XCLAIM"
	StreamClaimTime          = "ERR Invalid TIME option argument for XCLAIM"
	StreamClaimRetryCount    = "ERR Invalid RETRYCOUNT option argument for XCLAIM"
	StreamAutoClaimMinIdle   = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
	StreamAutoClaimCount     = "ERR COUNT must be > 0"
	StreamAutoClaimMemory    = "ERR Insufficient memory, failed allocating transient memory, COUNT too high."
)

// streamCStr is s as C's %s prints it: up to its first NUL byte.
func streamCStr(s []byte) []byte {
	for i, c := range s {
		if c == 0 {
			return s[:i]
		}
	}
	return s
}

// StreamNoGroup is the NOGROUP reply of XPENDING, XCLAIM and XAUTOCLAIM.
func StreamNoGroup(key, group []byte) string {
	return "NOGROUP No such key '" + string(streamCStr(key)) + "' or consumer group '" + string(streamCStr(group)) + "'"
}

// StreamNoGroupRead is XREADGROUP's NOGROUP reply.
func StreamNoGroupRead(key, group []byte) string {
	return StreamNoGroup(key, group) + " in XREADGROUP with GROUP option"
}

// StreamNoGroupForKey is the NOGROUP reply of XGROUP and XINFO CONSUMERS.
func StreamNoGroupForKey(group, key []byte) string {
	return "NOGROUP No such consumer group '" + string(streamCStr(group)) + "' for key name '" + string(streamCStr(key)) + "'"
}

// StreamClaimOption is XCLAIM's reply to an option it does not know.
func StreamClaimOption(opt []byte) string {
	return "ERR Unrecognized XCLAIM option '" + string(streamCStr(opt)) + "'"
}
