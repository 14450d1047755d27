package compat

import "testing"

// scriptingCommands are the scripting group, subcommands included.
var scriptingCommands = []string{"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro",
	"script", "script|debug", "script|exists", "script|flush", "script|help", "script|kill", "script|load",
	"function", "function|delete", "function|dump", "function|flush", "function|help", "function|kill",
	"function|list", "function|load", "function|restore", "function|stats"}

// TestCommandInfoScripting compares COMMAND INFO of the scripting group,
// in RESP2 and RESP3, and the keys COMMAND GETKEYS finds.
func TestCommandInfoScripting(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			for _, name := range scriptingCommands {
				if name == "script" || name == "function" {
					continue // their subcommands come in hash order
				}
				p.Check("COMMAND", "INFO", name)
			}
			p.CheckAll(Script(`
				COMMAND GETKEYS EVAL "return 1" 2 a b c
				COMMAND GETKEYS EVAL "return 1" 0 c
				COMMAND GETKEYS EVALSHA 0000000000000000000000000000000000000000 1 k
				COMMAND GETKEYS EVAL_RO "return 1" 1 k v
				COMMAND GETKEYS FCALL f 3 a b c d
				COMMAND GETKEYSANDFLAGS EVAL "return 1" 2 a b
				COMMAND GETKEYSANDFLAGS FCALL_RO f 1 a
				COMMAND GETKEYS EVAL "return 1" 5 a
				COMMAND GETKEYS SCRIPT LOAD x
			`))
			p.Normalize = func(_ []string, reply []byte) []byte { return SortedArray(reply) }
			p.Check("COMMAND", "LIST", "FILTERBY", "ACLCAT", "scripting")
		})
	}
}
