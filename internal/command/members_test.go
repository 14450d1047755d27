package command_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ember-kv/ember/internal/command"
)

// memberCommands are the commands with a member spec: each looks up, in
// the collection at its one key (index 1), the members its arguments name.
var memberCommands = []string{
	"sadd", "srem", "smismember", "sismember",
	"hset", "hmset", "hsetnx", "hget", "hmget", "hdel", "hexists", "hincrby", "hincrbyfloat", "hstrlen",
	"zadd", "zincrby", "zrem", "zscore", "zmscore", "zrank", "zrevrank",
}

func words(s string) [][]byte {
	var out [][]byte
	for _, w := range strings.Fields(s) {
		out = append(out, []byte(w))
	}
	return out
}

// TestMemberArgs checks the member arguments of every command with a
// member spec, and that argument lists too short or of the wrong parity
// give what is there without panicking.
func TestMemberArgs(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want string
	}{
		{"sadd s a", "[a]"},
		{"sadd s a b c", "[a b c]"},
		{"srem s a b", "[a b]"},
		{"smismember s a b", "[a b]"},
		{"sismember s a", "[a]"},
		{"hset h f v", "[f]"},
		{"hset h f1 v1 f2 v2 f3 v3", "[f1 f2 f3]"},
		{"hmset h f1 v1 f2 v2", "[f1 f2]"},
		{"hsetnx h f v", "[f]"},
		{"hget h f", "[f]"},
		{"hmget h f g", "[f g]"},
		{"hdel h f g", "[f g]"},
		{"hexists h f", "[f]"},
		{"hincrby h f 1", "[f]"},
		{"hincrbyfloat h f 1.5", "[f]"},
		{"hstrlen h f", "[f]"},
		{"zadd z 1 a", "[a]"},
		{"zadd z 1 a 2 b", "[a b]"},
		{"zadd z nx Ch 1 a 2 b", "[a b]"},
		{"zadd z XX gt CH 1 a", "[a]"},
		{"zadd z lt incr 1 a", "[a]"},
		{"zadd z INCR 5 a", "[a]"},
		{"zincrby z 5 m", "[m]"},
		{"zrem z a b", "[a b]"},
		{"zscore z a", "[a]"},
		{"zmscore z a b", "[a b]"},
		{"zrank z a", "[a]"},
		{"zrevrank z a", "[a]"},

		// Short lists and odd pairs.
		{"sadd", "[]"},
		{"sadd s", "[]"},
		{"sismember s", "[]"},
		{"hget", "[]"},
		{"hset h", "[]"},
		{"hset h f", "[f]"},
		{"hset h f1 v1 f2", "[f1 f2]"},
		{"zincrby z 5", "[]"},
		{"zadd z", "[]"},
		{"zadd z 1", "[]"},
		{"zadd z 1 a 2", "[a]"},
		{"zadd z nx", "[]"},
		{"zadd z nx xx gt lt ch incr", "[]"},
		{"zadd z nx 1", "[]"},

		// No member spec.
		{"get k", "[]"},
		{"smembers s", "[]"},
		{"hgetall h", "[]"},
	} {
		args := words(tc.cmd)
		name := tc.cmd
		if i := strings.IndexByte(name, ' '); i >= 0 {
			name = name[:i]
		}
		spec := command.LookupString(name)
		if spec == nil {
			t.Fatalf("%s: not in the table", name)
		}
		got := spec.MemberArgs(args, nil)
		if s := fmt.Sprintf("%s", got); s != tc.want {
			t.Errorf("%q: %s, want %s", tc.cmd, s, tc.want)
		}
	}
}

// TestMemberArgsAppends: the members go after what dst holds, and a
// command without a member spec gives dst back as it is.
func TestMemberArgsAppends(t *testing.T) {
	dst := words("x y")
	got := command.LookupString("hmget").MemberArgs(words("hmget h f g"), dst)
	if s := fmt.Sprintf("%s", got); s != "[x y f g]" {
		t.Errorf("hmget after x y: %s", s)
	}
	dst = make([][]byte, 1, 4)
	dst[0] = []byte("x")
	got = command.LookupString("get").MemberArgs(words("get k"), dst)
	if len(got) != 1 || cap(got) != 4 || &got[0] != &dst[0] {
		t.Errorf("get: dst not given back unchanged: %q", got)
	}
}

// TestMemberArgsNoAlloc: with room in dst, MemberArgs allocates nothing,
// ZADD's options included.
func TestMemberArgsNoAlloc(t *testing.T) {
	for _, cmd := range []string{"zadd z nx Ch INCR 1 a", "hset h f1 v1 f2 v2", "sadd s a b c", "hget h f"} {
		args := words(cmd)
		spec := command.LookupString(string(args[0]))
		dst := make([][]byte, 0, 8)
		if n := testing.AllocsPerRun(100, func() { dst = spec.MemberArgs(args, dst[:0]) }); n != 0 {
			t.Errorf("%s: %v allocations", cmd, n)
		}
	}
}

// TestMemberSpecs: the commands of memberCommands, and only they, have a
// member spec, and each is a write or read-only command of one key at
// index 1; so neither the list nor the table drifts from the other.
func TestMemberSpecs(t *testing.T) {
	for _, name := range memberCommands {
		if command.LookupString(name) == nil {
			t.Errorf("%s: not in the table", name)
		}
	}
	for _, s := range command.All() {
		listed := slices.Contains(memberCommands, s.Name)
		has := s.Members.First > 0
		oneKey := len(s.KeySpecs) == 1 && s.KeySpecs[0].Index == 1 && s.KeySpecs[0].LastKey == 0 &&
			!s.KeySpecs[0].KeyNum && !s.KeySpecs[0].Unknown
		switch {
		case listed && !has:
			t.Errorf("%s: no member spec", s.Name)
		case has && !listed:
			t.Errorf("%s: a member spec, but not in memberCommands", s.Name)
		case has && (s.Flags&(command.Write|command.ReadOnly) == 0 || !oneKey):
			t.Errorf("%s: a member spec, but not a write or read-only command of one key at index 1", s.Name)
		}
		for _, sub := range s.Subs {
			if sub.Members.First > 0 {
				t.Errorf("%s: a member spec on a subcommand", sub.Name)
			}
		}
	}
}
