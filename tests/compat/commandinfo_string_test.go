package compat

import "testing"

// stringBitmapCommands are the commands of the string and bitmap groups.
var stringBitmapCommands = []string{
	"get", "set", "setnx", "setex", "psetex", "getex", "getdel", "getset",
	"mget", "mset", "msetnx", "incr", "incrby", "incrbyfloat", "decr", "decrby",
	"append", "strlen", "getrange", "setrange", "substr", "lcs",
	"setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro",
}

// TestCommandInfoStringBitmap compares COMMAND INFO of every string and
// bitmap command: arity, flags, key positions, ACL categories, tips and key
// specs must be Redis's.
func TestCommandInfoStringBitmap(t *testing.T) {
	p := pair(t)
	for _, name := range stringBitmapCommands {
		p.Check("COMMAND", "INFO", name)
	}
	p.Check(append([]string{"COMMAND", "INFO"}, stringBitmapCommands...)...)
	p.Check("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2")
	p.Check("COMMAND", "GETKEYS", "BITOP", "AND", "dst", "s1", "s2")
	p.Check("COMMAND", "GETKEYS", "LCS", "k1", "k2", "IDX")
	p.Check("COMMAND", "GETKEYS", "SET", "k", "v", "EX", "10")
}
