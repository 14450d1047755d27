package errs

// Errors of the list commands.
const (
	ListRankZero       = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	ListCountNegative  = "ERR COUNT can't be negative"
	ListMaxlenNegative = "ERR MAXLEN can't be negative"
	ListNumKeys        = "ERR numkeys should be greater than 0"
	ListCount          = "ERR count should be greater than 0"
)
