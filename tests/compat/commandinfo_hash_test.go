package compat

import "testing"

// hashCommands are the commands of the hash group.
var hashCommands = []string{
	"hset", "hsetnx", "hget", "hmget", "hmset", "hdel", "hexists", "hlen",
	"hstrlen", "hkeys", "hvals", "hgetall", "hincrby", "hincrbyfloat",
	"hrandfield", "hscan",
}

// TestCommandInfoHash compares COMMAND INFO of every hash command: arity,
// flags, key positions, ACL categories, tips and key specs must be Redis's.
func TestCommandInfoHash(t *testing.T) {
	p := pair(t)
	for _, name := range hashCommands {
		p.Check("COMMAND", "INFO", name)
	}
	p.Check(append([]string{"COMMAND", "INFO"}, hashCommands...)...)
	p.Check("COMMAND", "GETKEYS", "HSET", "h", "f", "v", "f2", "v2")
	p.Check("COMMAND", "GETKEYS", "HMGET", "h", "f1", "f2")
	p.Check("COMMAND", "GETKEYS", "HSCAN", "h", "0", "MATCH", "*")
	p.Check("COMMAND", "GETKEYS", "HRANDFIELD", "h", "-5", "WITHVALUES")
	p.Check("COMMAND", "GETKEYSANDFLAGS", "HINCRBYFLOAT", "h", "f", "1.5")
	p.Check("COMMAND", "GETKEYSANDFLAGS", "HDEL", "h", "f")
}
