package errs

// Errors of the string and bitmap commands.
const (
	DecrementOverflow = "ERR decrement would overflow"
	OffsetOutOfRange  = "ERR offset is out of range"

	LCSNotString    = "ERR The specified keys must contain string values"
	LCSLenAndIdx    = "ERR If you want both the length and indexes, please just use IDX."
	LCSTooLong      = "ERR String too long for LCS"
	LCSTableTooBig  = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
	LCSAllocFailure = "ERR Insufficient memory, failed allocating transient memory for LCS"

	BitArgument       = "ERR The bit argument must be 1 or 0."
	BitopNotOneSource = "ERR BITOP NOT must be called with a single source key."
	BitfieldType      = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	BitfieldOverflow  = "ERR Invalid OVERFLOW type specified"
	BitfieldReadOnly  = "ERR BITFIELD_RO only supports the GET subcommand"
)
