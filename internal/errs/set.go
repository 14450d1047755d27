package errs

// Errors of the set commands.
const (
	// SInterCardNumKeys: a SINTERCARD numkeys that is not an integer
	// above zero.
	SInterCardNumKeys = "ERR numkeys should be greater than 0"
	// SInterCardTooManyKeys: a SINTERCARD numkeys above the number of
	// arguments left.
	SInterCardTooManyKeys = "ERR Number of keys can't be greater than number of args"
	// SInterCardLimit: a SINTERCARD LIMIT that is not an integer of at
	// least zero.
	SInterCardLimit = "ERR LIMIT can't be negative"
	// SRandMemberRange: an SRANDMEMBER count of -2^63, whose absolute
	// value does not fit.
	SRandMemberRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)
