package errs

// Errors of the hash commands.
const (
	// HashValueNotInteger: HINCRBY on a field whose value is not an integer.
	HashValueNotInteger = "ERR hash value is not an integer"
	// HashValueNotFloat: HINCRBYFLOAT on a field whose value is not a number.
	HashValueNotFloat = "ERR hash value is not a float"
	// HashIncrNotFinite: an HINCRBYFLOAT increment that is infinite.
	HashIncrNotFinite = "ERR value is NaN or Infinity"
	// HashRandCountRange: an HRANDFIELD count outside ±LONG_MAX.
	HashRandCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	// HashRandCountTooBig: an HRANDFIELD ... WITHVALUES count outside ±LONG_MAX/2.
	HashRandCountTooBig = "ERR value is out of range"
)
