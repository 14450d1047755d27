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
