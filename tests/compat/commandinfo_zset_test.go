package compat

import "testing"

// zsetCommands are the commands of the sorted set group.
var zsetCommands = []string{
	"zadd", "zincrby", "zrem", "zcard", "zcount", "zscore", "zmscore", "zrank",
	"zrevrank", "zrange", "zrangestore", "zrevrange", "zrangebyscore",
	"zrevrangebyscore", "zrangebylex", "zrevrangebylex", "zlexcount",
	"zremrangebyrank", "zremrangebyscore", "zremrangebylex", "zpopmin", "zpopmax",
	"zmpop", "zrandmember", "zunion", "zinter", "zdiff", "zunionstore",
	"zinterstore", "zdiffstore", "zintercard", "zscan",
	"bzpopmin", "bzpopmax", "bzmpop",
}

// TestCommandInfoZSet compares COMMAND INFO of every sorted set command:
// arity, flags, key positions, ACL categories, tips and key specs must be
// Redis's. COMMAND GETKEYS checks the numkeys key specs.
func TestCommandInfoZSet(t *testing.T) {
	p := pair(t)
	for _, name := range zsetCommands {
		p.Check("COMMAND", "INFO", name)
	}
	p.Check(append([]string{"COMMAND", "INFO"}, zsetCommands...)...)
	for _, args := range [][]string{
		{"ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"},
		{"ZINTER", "3", "a", "b", "c"},
		{"ZDIFFSTORE", "dst", "1", "a"},
		{"ZINTERCARD", "2", "a", "b", "LIMIT", "1"},
		{"ZMPOP", "2", "a", "b", "MIN"},
		{"ZRANGESTORE", "dst", "src", "0", "-1"},
		{"ZADD", "k", "1", "m"},
		{"ZUNION", "5", "a"},
		{"BZPOPMIN", "a", "b", "0"},
		{"ZUNIONSTORE", "dst", "0", "a"},
		{"ZUNIONSTORE", "dst", "3", "a", "b"},
		{"ZUNIONSTORE", "dst", "+2", "a", "b"},
		{"ZINTERSTORE", "dst", " 1", "a"},
		{"ZDIFF", "2abc", "a", "b"},
		{"ZINTER", "02", "a", "b"},
		{"ZINTERCARD", "0", "a"},
		{"ZMPOP", "0", "a", "MIN"},
		{"ZMPOP", "+1", "a", "MIN"},
		{"BZMPOP", "0", "0", "a", "MIN"},
		{"BZMPOP", "0", "x", "a", "MIN"},
		{"BZMPOP", "0", "2", "a", "b", "MAX", "COUNT", "3"},
	} {
		p.Check(append([]string{"COMMAND", "GETKEYS"}, args...)...)
	}
}
