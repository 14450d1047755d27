package script

import (
	"testing"

	"github.com/ember-kv/ember/resp"
)

// evalOnce compiles and runs body with a CallFunc that echoes fixed replies.
func evalOnce(t *testing.T, e *Engine, body string, keys, args []string) string {
	t.Helper()
	sc, msg := e.Load([]byte(body))
	if msg != "" {
		return "-" + msg + "\r\n"
	}
	r := &Run{Name: sc.SHA, Eval: true}
	for _, k := range keys {
		r.Keys = append(r.Keys, []byte(k))
	}
	for _, a := range args {
		r.Args = append(r.Args, []byte(a))
	}
	w := resp.NewWriter()
	e.Eval(sc, r, w)
	return string(w.Bytes())
}

func TestEngineBasics(t *testing.T) {
	e := New(func(r *Run, args [][]byte) ([]byte, string) {
		switch string(args[0]) {
		case "get":
			return []byte("$3\r\nbar\r\n"), ""
		case "err":
			return []byte("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"), ""
		}
		return nil, "Unknown Redis command called from script"
	})
	cases := []struct{ body, want string }{
		{"return 1", ":1\r\n"},
		{"return 3.99", ":3\r\n"},
		{"return 'x'", "$1\r\nx\r\n"},
		{"return {1,2,{3,'x'},nil,5}", "*3\r\n:1\r\n:2\r\n*2\r\n:3\r\n$1\r\nx\r\n"},
		{"return redis.call('get','foo')", "$3\r\nbar\r\n"},
		{"return KEYS[1]..ARGV[1]", "$2\r\nka\r\n"},
		{"return redis.call('nosuch')", "-ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.\r\n"},
		{"return x", "-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.\r\n"},
		{"x = 1", "-ERR user_script:1: Attempt to modify a readonly table script: 34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.\r\n"},
		{"return 1+", "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n"},
		{"return cjson.encode({1,2,3})", "$7\r\n[1,2,3]\r\n"},
		{"return bit.band(0xff, 0x0f)", ":15\r\n"},
		{"return cmsgpack.unpack(cmsgpack.pack({1,2,3}))", "*3\r\n:1\r\n:2\r\n:3\r\n"},
		{"return redis.pcall('err')", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{"return {pcall(function() redis.call('nosuch') end)}", "*2\r\n$-1\r\n$44\r\nERR Unknown Redis command called from script\r\n"},
		{"return struct.unpack('>I2', struct.pack('>I2', 513))", ":513\r\n"},
		{"error('boom')", "-ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1.\r\n"},
	}
	for _, c := range cases {
		got := evalOnce(t, e, c.body, []string{"k"}, []string{"a"})
		if c.want != "" && got != c.want {
			t.Errorf("%s: got %q want %q", c.body, got, c.want)
		}
	}
}

// TestEvalNoStateAllocation: a cached script runs in the engine's one Lua
// state, whatever the number of calls.
func TestEvalNoStateAllocation(t *testing.T) {
	e := New(func(r *Run, args [][]byte) ([]byte, string) { return []byte(":1\r\n"), "" })
	L := e.eval.L
	for i := 0; i < 100; i++ {
		if got := evalOnce(t, e, "return redis.call('incr', KEYS[1])", []string{"k"}, nil); got != ":1\r\n" {
			t.Fatal(got)
		}
	}
	if e.eval.L != L {
		t.Fatal("state replaced")
	}
}
