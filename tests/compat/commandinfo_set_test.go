package compat

import "testing"

// setCommands are the commands of the set group.
var setCommands = []string{
	"sadd", "srem", "smembers", "sismember", "smismember", "scard", "spop",
	"srandmember", "smove", "sinter", "sintercard", "sinterstore", "sunion",
	"sunionstore", "sdiff", "sdiffstore", "sscan",
}

// TestCommandInfoSet compares COMMAND INFO of every set command: arity,
// flags, key positions, ACL categories, tips and key specs must be Redis's,
// in RESP2 and RESP3, and the keys COMMAND GETKEYS finds.
func TestCommandInfoSet(t *testing.T) {
	p := pair(t)
	for _, proto := range []string{"2", "3"} {
		p.Both("HELLO", proto)
		for _, name := range setCommands {
			p.Check("COMMAND", "INFO", name)
		}
		p.Check(append([]string{"COMMAND", "INFO"}, setCommands...)...)
	}
	p.Both("HELLO", "2")
	p.CheckAll(Script(`
		COMMAND GETKEYS SADD k a b
		COMMAND GETKEYS SMOVE src dst m
		COMMAND GETKEYS SINTER a b c
		COMMAND GETKEYS SINTERSTORE d a b
		COMMAND GETKEYS SUNIONSTORE d a
		COMMAND GETKEYS SDIFFSTORE d a b c
		COMMAND GETKEYS SINTERCARD 2 a b
		COMMAND GETKEYS SINTERCARD 1 a LIMIT 5
		COMMAND GETKEYS SINTERCARD 3 a b
		COMMAND GETKEYS SINTERCARD 0 a
		COMMAND GETKEYS SSCAN k 0 MATCH *
		COMMAND GETKEYS SPOP k 3
		COMMAND GETKEYS SRANDMEMBER k -3
	`))
}
