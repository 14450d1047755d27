package errs

// Errors of SORT and SORT_RO.
const (
	SortNotDouble = "ERR One or more scores can't be converted into double"
)
