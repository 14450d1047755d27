package errs

import "strings"

// Errors of the transactions group beyond those in errs.go (ExecAbort,
// MultiNested, ExecWithoutMulti, DiscardNoMulti, WatchInMulti).
const (
	// NotInMulti is the dispatcher's reply to a no_multi command in MULTI.
	NotInMulti = "ERR Command not allowed inside a transaction"
)

// ExecAbortBecause is the reply to an EXEC that the dispatcher rejects
// (wrong arity, no authentication): the transaction is discarded and the
// reason follows, without its ERR code.
func ExecAbortBecause(msg string) string {
	return "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR ")
}
