package compat

import "testing"

// txnCommands are the transactions group.
var txnCommands = []string{"multi", "exec", "discard", "watch", "unwatch"}

// TestCommandInfoTransactions compares COMMAND INFO of the transactions
// group, in RESP2 and RESP3, and WATCH's keys.
func TestCommandInfoTransactions(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			for _, name := range txnCommands {
				p.Check("COMMAND", "INFO", name)
			}
			p.Check(append([]string{"COMMAND", "INFO"}, txnCommands...)...)
			p.CheckAll(Script(`
				COMMAND GETKEYS WATCH a
				COMMAND GETKEYS WATCH a b c
				COMMAND GETKEYSANDFLAGS WATCH a b
				COMMAND GETKEYS MULTI
				COMMAND GETKEYS EXEC
				COMMAND GETKEYS UNWATCH
			`))
			p.Normalize = func(_ []string, reply []byte) []byte { return SortedArray(reply) }
			p.Check("COMMAND", "LIST", "FILTERBY", "ACLCAT", "transaction")
		})
	}
}
