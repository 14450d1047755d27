package errs

// Errors of the sorted set commands.
const (
	// ZAddXXNX: ZADD given both XX and NX.
	ZAddXXNX = "ERR XX and NX options at the same time are not compatible"
	// ZAddGTLTNX: ZADD given GT with LT, or either with NX.
	ZAddGTLTNX = "ERR GT, LT, and/or NX options at the same time are not compatible"
	// ZAddIncrPair: ZADD INCR with more than one score-member pair.
	ZAddIncrPair = "ERR INCR option supports a single increment-element pair"
	// ZScoreNaN: an increment that makes a score NaN (inf + -inf).
	ZScoreNaN = "ERR resulting score is not a number (NaN)"
	// ZMinMaxNotFloat: a score range bound that is not a float.
	ZMinMaxNotFloat = "ERR min or max is not a float"
	// ZMinMaxNotLex: a lexicographic bound not starting with '(' or '[',
	// nor "-" or "+".
	ZMinMaxNotLex = "ERR min or max not valid string range item"
	// ZRangeLimitByRank: ZRANGE ... LIMIT without BYSCORE or BYLEX.
	ZRangeLimitByRank = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	// ZRangeWithScoresByLex: ZRANGE ... BYLEX WITHSCORES.
	ZRangeWithScoresByLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	// ZWeightNotFloat: a WEIGHTS value that is not a float.
	ZWeightNotFloat = "ERR weight value is not a float"
	// ZInterCardLimit: a ZINTERCARD LIMIT that is negative or not an integer.
	ZInterCardLimit = "ERR LIMIT can't be negative"
	// ZNumKeys: a ZMPOP/BZMPOP numkeys below 1 or not an integer.
	ZNumKeys = "ERR numkeys should be greater than 0"
	// ZCount: a ZMPOP/BZMPOP COUNT below 1 or not an integer.
	ZCount = "ERR count should be greater than 0"
	// ZRandCountRange: a ZRANDMEMBER count of -2^63.
	ZRandCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	// ZRandCountTooBig: a ZRANDMEMBER ... WITHSCORES count beyond ±2^62.
	ZRandCountTooBig = "ERR value is out of range"
)

// ZNeedKeys is the reply to a ZUNION/ZINTER/ZDIFF family command given a
// numkeys below 1; cmd is the command's name ("zunionstore").
func ZNeedKeys(cmd string) string {
	return "ERR at least 1 input key is needed for '" + cmd + "' command"
}
