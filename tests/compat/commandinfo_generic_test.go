package compat

import (
	"strings"
	"testing"
)

// genCommands are the commands the keyspace and database specs add.
var genCommands = []string{
	"del", "unlink", "exists", "type", "touch", "rename", "renamenx", "copy", "move",
	"keys", "scan", "randomkey", "dbsize", "flushdb", "flushall", "select", "swapdb",
	"object", "expire", "pexpire", "expireat", "pexpireat", "expiretime", "pexpiretime",
	"ttl", "pttl", "persist", "wait", "dump", "restore", "migrate",
}

// genSortSubcommands sorts the subcommand list of every command in a
// COMMAND INFO reply: Redis lists subcommands in hash table order.
func genSortSubcommands(_ []string, reply []byte) []byte {
	t, err := parseReplyTree(reply)
	if err != nil || t.kind != '*' {
		return reply
	}
	for _, cmd := range t.elems {
		if cmd.kind == '*' && len(cmd.elems) == 10 {
			cmd.elems[9].sortElems()
		}
	}
	return t.encode()
}

// TestCommandInfoGeneric compares the raw COMMAND INFO reply of each
// keyspace command and subcommand, in RESP2 and RESP3. (It needs COMMAND,
// which another part of Ember provides.)
func TestCommandInfoGeneric(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			p.Normalize = genSortSubcommands
			for _, name := range genCommands {
				p.Check("COMMAND", "INFO", name)
				p.Check("COMMAND", "INFO", strings.ToUpper(name))
			}
			for _, sub := range []string{"help", "encoding", "freq", "idletime", "refcount"} {
				p.Check("COMMAND", "INFO", "object|"+sub)
			}
			p.Check(append([]string{"COMMAND", "INFO"}, genCommands...)...)
			p.Check("COMMAND", "GETKEYS", "RENAME", "a", "b")
			p.Check("COMMAND", "GETKEYS", "COPY", "a", "b", "DB", "1", "REPLACE")
			p.Check("COMMAND", "GETKEYS", "DEL", "a", "b", "c")
			p.Check("COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k")
			p.Check("COMMAND", "GETKEYS", "EXPIRE", "k", "10", "NX")
			p.Check("COMMAND", "GETKEYS", "KEYS", "*")
			p.Check("COMMAND", "GETKEYS", "SCAN", "0")
			p.Check("COMMAND", "GETKEYS", "RESTORE", "k", "0", "x", "REPLACE")
			p.Check("COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "5", "AUTH", "KEYS", "KEYS", "a", "b")
			// The cluster group: present, answering that cluster mode is off.
			p.Check("COMMAND", "INFO", "cluster", "readonly", "readwrite", "asking", "monitor")
			for _, sub := range []string{"help", "info", "keyslot", "setslot", "slots", "shards", "reset"} {
				p.Check("COMMAND", "INFO", "cluster|"+sub)
			}
		})
	}
}
