package compat

import "testing"

// sortCommands are SORT and its read-only variant.
var sortCommands = []string{"sort", "sort_ro"}

// TestCommandInfoSort compares COMMAND INFO of SORT and SORT_RO, in RESP2
// and RESP3, and the keys COMMAND GETKEYS finds in their argument lists
// (SORT's STORE destination is found by scanning the options).
func TestCommandInfoSort(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			for _, name := range sortCommands {
				p.Check("COMMAND", "INFO", name)
			}
			p.Check(append([]string{"COMMAND", "INFO"}, sortCommands...)...)
			p.CheckAll(Script(`
				COMMAND GETKEYS SORT k
				COMMAND GETKEYS SORT k STORE d
				COMMAND GETKEYS SORT k store d
				COMMAND GETKEYS SORT k LIMIT 0 1 STORE d
				COMMAND GETKEYS SORT k STORE d STORE e
				COMMAND GETKEYS SORT k STORE STORE d
				COMMAND GETKEYS SORT k GET STORE STORE d
				COMMAND GETKEYS SORT k BY STORE d
				COMMAND GETKEYS SORT k BY x STORE
				COMMAND GETKEYS SORT k LIMIT STORE d
				COMMAND GETKEYS SORT k STORE
				COMMAND GETKEYS SORT k STORE d LIMIT
				COMMAND GETKEYS SORT k ASC STORE d BY x GET # GET y ALPHA DESC
				COMMAND GETKEYS SORT k "store\x00x" d
				COMMAND GETKEYS SORT_RO k
				COMMAND GETKEYS SORT_RO k STORE d
				COMMAND GETKEYS SORT
				COMMAND GETKEYSANDFLAGS SORT k STORE d
				COMMAND GETKEYSANDFLAGS SORT k STORE d STORE e
				COMMAND GETKEYSANDFLAGS SORT_RO k BY x
			`))
		})
	}
}
