package compat

import "testing"

// listCommands are the commands of the list group.
var listCommands = []string{
	"lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange",
	"lindex", "lset", "linsert", "lrem", "ltrim", "lpos", "lmove", "rpoplpush",
	"lmpop", "blpop", "brpop", "blmove", "brpoplpush", "blmpop",
}

// TestCommandInfoList compares COMMAND INFO of every list command: arity,
// flags, key positions, ACL categories, tips and key specs must be Redis's.
func TestCommandInfoList(t *testing.T) {
	p := pair(t)
	for _, name := range listCommands {
		p.Check("COMMAND", "INFO", name)
	}
	p.Check(append([]string{"COMMAND", "INFO"}, listCommands...)...)
	p.CheckAll(Script(`
		COMMAND GETKEYS LPUSH k a b
		COMMAND GETKEYS LMOVE src dst LEFT RIGHT
		COMMAND GETKEYS RPOPLPUSH src dst
		COMMAND GETKEYS LMPOP 2 a b LEFT COUNT 3
		COMMAND GETKEYS LMPOP 3 a b LEFT
		COMMAND GETKEYS BLPOP a b c 0
		COMMAND GETKEYS BRPOP a 0
		COMMAND GETKEYS BLMOVE src dst LEFT RIGHT 0
		COMMAND GETKEYS BRPOPLPUSH src dst 0
		COMMAND GETKEYS BLMPOP 0 2 a b LEFT
		COMMAND GETKEYS BLMPOP 0 0 a LEFT
	`))
}
