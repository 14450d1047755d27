package config

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ember-kv/ember/internal/glob"
)

// envDependent are the directives whose default depends on how and where
// the server was started.
var envDependent = map[string]bool{"dir": true, "port": true, "pidfile": true, "logfile": true}

// TestDefaultsMatchRedis compares CONFIG GET * of a fresh configuration
// with the one of a redis-server 7.0.15 started with only --port.
func TestDefaultsMatchRedis(t *testing.T) {
	f, err := os.Open("testdata/redis-7.0.15-config-defaults.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, val, _ := strings.Cut(line, "\t")
		want[name] = val
	}
	c := New()
	got := map[string]string{}
	for _, p := range c.Match([]string{"*"}, glob.MatchStringNoCase) {
		if _, dup := got[p.Name]; dup {
			t.Errorf("CONFIG GET * lists %s twice", p.Name)
		}
		got[p.Name] = p.Value
	}
	if len(got) != len(want) {
		t.Errorf("CONFIG GET * has %d names, Redis %d", len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("missing directive %s", name)
		case envDependent[name]:
		case g != w:
			t.Errorf("%s = %q, Redis %q", name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("extra directive %s", name)
		}
	}
	if wd, _ := os.Getwd(); c.Get("dir") != wd {
		t.Errorf("dir = %q, want the working directory %q", c.Get("dir"), wd)
	}
	if len(c.All()) != len(want) {
		t.Errorf("All() has %d entries, want %d", len(c.All()), len(want))
	}
}

func TestHiddenDirectives(t *testing.T) {
	c := New()
	for _, n := range []string{"use-exit-on-panic", "rdb-key-save-delay", "key-load-delay", "watchdog-period", "loading-process-events-interval-bytes"} {
		if ps := c.Match([]string{n}, glob.MatchStringNoCase); len(ps) != 1 {
			t.Errorf("exact CONFIG GET %s: %v", n, ps)
		}
		if ps := c.Match([]string{n + "*"}, glob.MatchStringNoCase); len(ps) != 0 {
			t.Errorf("pattern CONFIG GET %s*: %v, want nothing", n, ps)
		}
	}
	if got := c.Get("loading-process-events-interval-bytes"); got != "2097152" {
		t.Errorf("loading-process-events-interval-bytes = %s", got)
	}
}

func TestMatch(t *testing.T) {
	c := New()
	ps := c.Match([]string{"PORT", "port", "maxmemory*", "maxmemory", "nosuch", "slave-read-only*"}, glob.MatchStringNoCase)
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	want := "PORT maxmemory maxmemory-clients maxmemory-eviction-tenacity maxmemory-policy maxmemory-samples slave-read-only"
	if strings.Join(names, " ") != want {
		t.Errorf("names %q, want %q", strings.Join(names, " "), want)
	}
	both := c.Match([]string{"*slaveof*", "replicaof"}, glob.MatchStringNoCase)
	if len(both) != 2 || both[0].Name != "slaveof" || both[1].Name != "replicaof" {
		t.Errorf("aliases: %v", both)
	}
}

func TestParseMemory(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"1", 1, true}, {"1b", 1, true}, {"1B", 1, true},
		{"1k", 1000, true}, {"1kb", 1024, true}, {"1K", 1000, true}, {"1KB", 1024, true},
		{"1m", 1000000, true}, {"1mb", 1 << 20, true}, {"256mb", 256 << 20, true},
		{"1g", 1000000000, true}, {"1gb", 1 << 30, true}, {"1Gb", 1 << 30, true},
		{"mb", 0, true}, {"k", 0, true},
		{"99999999999999999999", -1, true}, // saturates at 2^64-1
		{"-1", 0, false}, {"1x", 0, false}, {" 5", 0, false}, {"+5", 0, false},
		{"5 ", 0, false}, {"0x10", 0, false}, {"1.5k", 0, false}, {"1tb", 0, false},
	} {
		got, err := ParseMemory(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestSetErrors checks CONFIG SET's messages against the ones redis-server
// 7.0.15 gives (collected from it).
func TestSetErrors(t *testing.T) {
	for _, tc := range []struct{ name, value, err string }{
		{"port", "abc", "argument couldn't be parsed into an integer"},
		{"port", "70000", "argument must be between 0 and 65535 inclusive"},
		{"port", "-1", "argument must be between 0 and 65535 inclusive"},
		{"port", "+1", "argument couldn't be parsed into an integer"},
		{"port", "01", "argument couldn't be parsed into an integer"},
		{"maxmemory", "1x", "argument must be a memory value"},
		{"maxmemory", "-1", "argument must be a memory value"},
		{"maxmemory-clients", "x", "argument must be a memory or percent value"},
		{"maxmemory-clients", "101%", "percentage argument must be less or equal to 100"},
		{"proto-max-bulk-len", "1k", "argument must be between 1048576 and 9223372036854775807 inclusive"},
		{"proto-max-bulk-len", "99999999999999999999", "argument must be between 1048576 and 9223372036854775807 inclusive"},
		{"hash-max-listpack-entries", "-1", "argument must be between 0 and 9223372036854775807 inclusive"},
		{"maxclients", "0", "argument must be between 1 and 4294967295 inclusive"},
		{"maxclients", "-5", "argument must be between 1 and 4294967295 inclusive"},
		{"appendonly", "maybe", "argument must be 'yes' or 'no'"},
		{"loglevel", "foo", "argument(s) must be one of the following: debug, verbose, notice, warning"},
		{"appendfsync", "foo", "argument(s) must be one of the following: everysec, always, no"},
		{"shutdown-on-sigint", "save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously"},
		{"shutdown-on-sigint", "", "argument(s) must be one of the following: default, save, nosave, now, force"},
		{"activedefrag", "yes", "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"},
		{"proc-title-template", "{foo}", "template format is invalid or contains unknown variables"},
		{"proc-title-template", "{title}", "template format is invalid or contains unknown variables"},
		{"proc-title-template", "{title", "template format is invalid or contains unknown variables"},
		{"cluster-announce-hostname", "a_b", "Hostnames may only contain alphanumeric characters, hyphens or dots"},
		{"save", "3600 1 300", "Invalid save parameters"},
		{"save", "0 1", "Invalid save parameters"},
		{"save", "10 -1", "Invalid save parameters"},
		{"save", "10 x", "Invalid save parameters"},
		{"client-output-buffer-limit", "normal 1 2", "Wrong number of arguments in buffer limit configuration."},
		{"client-output-buffer-limit", "master 1 2 3", "Invalid client class specified in buffer limit configuration."},
		{"client-output-buffer-limit", "normal 1x 2 3", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{"client-output-buffer-limit", "normal 1 2 -3", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{"oom-score-adj-values", "1 2", "wrong number of arguments"},
		{"oom-score-adj-values", "1 2 3000", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."},
		{"notify-keyspace-events", "KEQ", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{"latency-tracking-info-percentiles", "50 x", "Invalid latency-tracking-info-percentiles parameters"},
		{"latency-tracking-info-percentiles", "1e-400", "Invalid latency-tracking-info-percentiles parameters"},
		{"latency-tracking-info-percentiles", "1e", "Invalid latency-tracking-info-percentiles parameters"},
		{"latency-tracking-info-percentiles", "101", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"},
		{"bind", strings.Repeat("a ", 17), "Too many bind addresses specified."},
		{"dir", "/nonexistent/dir", "No such file or directory"},
		{"dir", "/etc/hostname", "Not a directory"},
	} {
		c := New()
		err := c.SetMany([]string{tc.name, tc.value}, true)
		var se *SetError
		if !errors.As(err, &se) || se.Msg != tc.err || se.Arg != tc.name {
			t.Errorf("CONFIG SET %s %q: %v, want %q", tc.name, tc.value, err, tc.err)
		}
	}
}

func TestSetValues(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"maxmemory", "256mb", "268435456"},
		{"maxmemory", "1k", "1000"},
		{"maxmemory", "18446744073709551615", "18446744073709551615"},
		{"maxmemory", "99999999999999999999kb", "18446744073709550592"},
		{"maxmemory-clients", "10%", "10%"},
		{"maxmemory-clients", "1gb", "1073741824"},
		{"hz", "1000", "500"},
		{"hz", "0", "1"},
		{"appendonly", "YES", "yes"},
		{"loglevel", "WARNING", "warning"},
		{"oom-score-adj", "relative", "yes"},
		{"shutdown-on-sigint", "now save", "save now"},
		{"shutdown-on-sigint", "default now", "now"},
		{"save", "", ""},
		{"save", "3600 1 300 100", "3600 1 300 100"},
		{"save", "10 99999999999", "10 1215752191"},
		{"client-output-buffer-limit", "pubsub 1mb 2k 5", "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2000 5"},
		{"client-output-buffer-limit", "replica 1 2 3 normal 4 5 6", "normal 4 5 6 slave 1 2 3 pubsub 33554432 8388608 60"},
		{"client-output-buffer-limit", "", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		{"notify-keyspace-events", "KEA", "AKE"},
		{"notify-keyspace-events", "Elg$", "g$lE"},
		{"notify-keyspace-events", "", ""},
		{"latency-tracking-info-percentiles", "50.5 99 0", "50.5 99 0"},
		{"latency-tracking-info-percentiles", "", ""},
		{"latency-tracking-info-percentiles", "0x10 0x1.8 .5 5. 1e-310", "16 1.5 0.5 5 0"},
		{"repl-backlog-size", "1", "16384"},
		{"repl-backlog-size", "1mb", "1048576"},
		{"oom-score-adj-values", "-1 +2 3", "-1 2 3"},
		{"bind", "127.0.0.1 -::1", "127.0.0.1 -::1"},
		{"bind", "", ""},
		{"slave-read-only", "no", "no"},
		{"dir", "/", "/"},
	} {
		c := New()
		if err := c.SetMany([]string{tc.name, tc.value}, true); err != nil {
			t.Errorf("CONFIG SET %s %q: %v", tc.name, tc.value, err)
			continue
		}
		if got := c.Get(tc.name); got != tc.want {
			t.Errorf("CONFIG SET %s %q: got %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
	// A name and its alias are two parameters (the last one wins), as in Redis.
	c := New()
	if err := c.SetMany([]string{"replica-read-only", "no", "slave-read-only", "yes"}, false); err != nil || c.Get("replica-read-only") != "yes" {
		t.Errorf("name and alias: %v %q", err, c.Get("replica-read-only"))
	}
	if err := c.SetMany([]string{"slave-read-only", "no"}, false); err != nil || c.Get("replica-read-only") != "no" || c.Bool("replica-read-only") {
		t.Errorf("alias did not set replica-read-only: %v %q", err, c.Get("replica-read-only"))
	}
	if c.Int("maxmemory") != 0 || c.Int("port") != 6379 || !c.Bool("protected-mode") {
		t.Errorf("typed getters: %d %d %v", c.Int("maxmemory"), c.Int("port"), c.Bool("protected-mode"))
	}
}

func TestSetManyAtomicAndErrors(t *testing.T) {
	c := New()
	for _, tc := range []struct {
		pairs []string
		want  SetError
	}{
		{[]string{"maxmemory", "1", "foo", "2", "daemonize", "yes"}, SetError{Unknown: "foo"}},
		{[]string{"daemonize", "yes", "foo", "2"}, SetError{Arg: "daemonize", Msg: "can't set immutable config"}},
		{[]string{"DAEMONIZE", "no"}, SetError{Arg: "DAEMONIZE", Msg: "can't set immutable config"}},
		{[]string{"maxmemory", "1", "MAXMEMORY", "2"}, SetError{Arg: "MAXMEMORY", Msg: "duplicate parameter"}},
		{[]string{"maxmemory", "1", "SLAVE-READ-ONLY", "x"}, SetError{Arg: "slave-read-only", Msg: "argument must be 'yes' or 'no'"}},
		{[]string{"dir", "/"}, SetError{Arg: "dir", Msg: "can't set protected config"}},
		{[]string{"dbfilename", "x.rdb"}, SetError{Arg: "dbfilename", Msg: "can't set protected config"}},
	} {
		err := c.SetMany(tc.pairs, false)
		var se *SetError
		if !errors.As(err, &se) || *se != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.pairs, err, tc.want)
		}
	}
	if c.Get("maxmemory") != "0" {
		t.Errorf("a failed CONFIG SET changed maxmemory to %s", c.Get("maxmemory"))
	}
	var seen []string
	c.Watch("maxmemory", func(v string) { seen = append(seen, v) })
	if err := c.SetMany([]string{"maxmemory", "1mb", "hz", "20"}, false); err != nil {
		t.Fatal(err)
	}
	if c.Get("maxmemory") != "1048576" || c.Get("hz") != "20" || len(seen) != 1 || seen[0] != "1048576" {
		t.Errorf("after SET: %s %s %v", c.Get("maxmemory"), c.Get("hz"), seen)
	}
}

func loadErr(t *testing.T, err error) *LoadError {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("want a *LoadError, got %v", err)
	}
	return le
}

// TestLoadArgsErrors checks the messages redis-server prints for bad
// command lines (collected from redis-server 7.0.15).
func TestLoadArgsErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--foo", "bar"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo \"bar\"'\nBad directive or wrong number of arguments"},
		{[]string{"--port", "abc"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer"},
		{[]string{"--port", "70000"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"70000\"'\nargument must be between 0 and 65535 inclusive"},
		{[]string{"--maxmemory", "1x"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'maxmemory \"1x\"'\nargument must be a memory value"},
		{[]string{"--save", "3600 1 300"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'save \"3600 1 300\"'\nInvalid save parameters"},
		{[]string{"--port", "1", "2"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"1\" \"2\"'\nwrong number of arguments"},
		{[]string{"--loglevel", "foo"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'loglevel \"foo\"'\nargument(s) must be one of the following: debug, verbose, notice, warning"},
		{[]string{"--port"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port'\nwrong number of arguments"},
		{[]string{"--hz", "10", "--port", "x y"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'port \"x y\"'\nargument couldn't be parsed into an integer"},
		{[]string{"--rename-command", "GET", ""}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'rename-command \"GET\" \"\"'\nBad directive or wrong number of arguments"},
		{[]string{"--requirepass", "a\"b"}, ""},
		{[]string{"--logfile", "/nonexistent/dir/x.log"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory"},
		{[]string{"--cluster-enabled", "yes", "--replicaof", "h", "1"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode"},
		{[]string{"--replicaof", "h", "x"}, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'replicaof \"h\" \"x\"'\nInvalid master port"},
	} {
		err := New().LoadArgsFrom(tc.args, strings.NewReader(""))
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.args, err)
			}
			continue
		}
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.args, err, tc.want)
		}
	}
	if le := loadErr(t, New().LoadString("port 1\n\"unbalanced\n")); le.Line != 2 || le.Msg != "Unbalanced quotes in configuration line" {
		t.Errorf("unbalanced: %+v", le)
	}
	err := New().LoadArgs([]string{"/nonexistent.conf"})
	var fe *FileError
	if !errors.As(err, &fe) || err.Error() != "Fatal error, can't open config file '/nonexistent.conf': No such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	if New().LoadArgs([]string{"-v"}) != ErrVersion || New().LoadArgs([]string{"--version"}) != ErrVersion ||
		New().LoadArgs([]string{"-h"}) != ErrHelp || New().LoadArgs([]string{"--help"}) != ErrHelp {
		t.Error("version/help flags")
	}
}

func TestLoadMultiArg(t *testing.T) {
	for _, tc := range []struct {
		args []string
		name string
		want string
	}{
		{[]string{"--save", "3600 1 300 100"}, "save", "3600 1 300 100"},
		{[]string{"--save", "3600", "1", "300", "100"}, "save", "3600 1 300 100"},
		{[]string{"--save", ""}, "save", ""},
		{[]string{"--save"}, "save", ""},
		{[]string{"--save", "--port", "1234"}, "save", ""},
		{[]string{"--save", "--port", "1234"}, "port", "1234"},
		{[]string{"--save", "60 1", "--save", "300 10"}, "save", "60 1 300 10"},
		{[]string{"--port 7000"}, "port", "7000"},
		{[]string{"--bind", "127.0.0.1", "::1"}, "bind", "127.0.0.1 ::1"},
		{[]string{"--bind", "127.0.0.1 -::1"}, "bind", "127.0.0.1 -::1"},
		{[]string{"--client-output-buffer-limit", "pubsub 64mb 16mb 90"}, "client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 90"},
		{[]string{"--client-output-buffer-limit", "normal", "1", "2", "3"}, "client-output-buffer-limit", "normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		{[]string{"--slaveof", "127.0.0.1", "6380"}, "replicaof", "127.0.0.1 6380"},
		{[]string{"--replicaof", "127.0.0.1 6380"}, "slaveof", "127.0.0.1 6380"},
		{[]string{"--replicaof", "no", "one"}, "replicaof", ""},
		{[]string{"--maxmemory", "256mb"}, "maxmemory", "268435456"},
		{[]string{"--maxmemory", "1gb"}, "maxmemory", "1073741824"},
		{[]string{"--maxmemory", "1k"}, "maxmemory", "1000"},
		{[]string{"--shutdown-on-sigterm", "nosave now"}, "shutdown-on-sigterm", "nosave now"},
		{[]string{"--latency-tracking-info-percentiles", "50", "99.99"}, "latency-tracking-info-percentiles", "50 99.99"},
		{[]string{"--enable-debug-command", "local"}, "enable-debug-command", "local"},
		{[]string{"--list-max-ziplist-entries", "10"}, "list-max-listpack-size", "-2"},
		{[]string{"--requirepass", "with space\"quote"}, "requirepass", "with space\"quote"},
	} {
		c := New()
		if err := c.LoadArgsFrom(tc.args, strings.NewReader("")); err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if got := c.Get(tc.name); got != tc.want {
			t.Errorf("%q: %s = %q, want %q", tc.args, tc.name, got, tc.want)
		}
	}
	// In a file the first save line replaces the defaults and later ones add.
	c := New()
	if err := c.LoadString("save 900 1\nsave 300 10\nsave 60 10000\n"); err != nil {
		t.Fatal(err)
	}
	if got := c.Get("save"); got != "900 1 300 10 60 10000" {
		t.Errorf("save lines: %q", got)
	}
	// CONFIG SET replaces them.
	if err := c.Set("save", "10 1", false); err != nil || c.Get("save") != "10 1" {
		t.Errorf("CONFIG SET save: %v %q", err, c.Get("save"))
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoadOrder: file, then standard input, then options; the last wins.
func TestLoadOrder(t *testing.T) {
	dir := t.TempDir()
	inc := writeFile(t, dir, "inc.conf", "maxclients 77\nhz 30\n")
	conf := writeFile(t, dir, "r.conf", "# comment\nport 7000\nhz 20\ninclude "+inc+"\ntimeout 5\nloglevel verbose\n")
	c := New()
	err := c.LoadArgsFrom([]string{conf, "--port", "7001", "-"}, strings.NewReader("timeout 6\nloglevel warning\n"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"port": "7001", "hz": "30", "maxclients": "77", "timeout": "6", "loglevel": "warning"} {
		if got := c.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if c.File() != conf {
		t.Errorf("File() = %q, want %q", c.File(), conf)
	}
	// "-" alone reads standard input; in the middle it is a value.
	c = New()
	if err := c.LoadArgsFrom([]string{"-", "--hz", "40"}, strings.NewReader("hz 30\nport 7002\n")); err != nil {
		t.Fatal(err)
	}
	if c.Get("hz") != "40" || c.Get("port") != "7002" || c.File() != "" {
		t.Errorf("stdin: hz %s port %s file %q", c.Get("hz"), c.Get("port"), c.File())
	}
	// Errors in a file name its line.
	bad := writeFile(t, dir, "bad.conf", "port 1\n\nmaxmemory lots\n")
	le := loadErr(t, New().LoadArgs([]string{bad}))
	if le.Line != 3 || le.Text != "maxmemory lots" || le.Msg != "argument must be a memory value" {
		t.Errorf("bad file: %+v", le)
	}
}

func TestRewrite(t *testing.T) {
	dir := t.TempDir()
	old := "# My config\nport 7793\n  \nslaveof 127.0.0.1 9999\n\nsave 60 1\nsave 300 10\n# comment two\n\n\nmaxmemory 100mb\nloglevel verbose\nhz 15\nhz 16\nbind 127.0.0.1\nrename-command FLUSHALL \"\"\nnot-a-directive yes\n"
	conf := writeFile(t, dir, "r.conf", old)
	c := New()
	if err := c.LoadString(strings.ReplaceAll(strings.ReplaceAll(old, "rename-command FLUSHALL \"\"\n", ""), "not-a-directive yes\n", "")); err != nil {
		t.Fatal(err)
	}
	c.SetFile(conf)
	if err := c.SetMany([]string{"maxmemory", "0", "loglevel", "notice", "hz", "10",
		"notify-keyspace-events", "KEA", "maxmemory-clients", "5%", "client-output-buffer-limit", "pubsub 1mb 2000 5",
		"requirepass", `a"b\c`, "appendonly", "yes", "save", "3600 1 300 100 60 10000", "unixsocketperm", "700"}, true); err == nil {
		t.Fatal("unixsocketperm is immutable")
	}
	if err := c.SetMany([]string{"maxmemory", "0", "loglevel", "notice", "hz", "10",
		"notify-keyspace-events", "KEA", "maxmemory-clients", "5%", "client-output-buffer-limit", "pubsub 1mb 2000 5",
		"requirepass", `a"b\c`, "appendonly", "yes", "save", "3600 1 300 100 60 10000"}, true); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("dir", dir, true); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(conf)
	want := "# My config\nport 7793\n\nreplicaof 127.0.0.1 9999\n\nsave 3600 1\nsave 300 100\n# comment two\n\n" +
		"maxmemory 0\nloglevel notice\nhz 10\n\nbind 127.0.0.1\nrename-command FLUSHALL \"\"\n# ??? not-a-directive yes\n\n" +
		"# Generated by CONFIG REWRITE\nappendonly yes\nrequirepass \"a\\\"b\\\\c\"\nmaxmemory-clients 5%\n" +
		"dir " + Repr(dir) + "\nsave 60 10000\nclient-output-buffer-limit pubsub 1mb 2000 5\nnotify-keyspace-events \"AKE\"\n" +
		"latency-tracking-info-percentiles 50 99 99.9\n"
	if string(got) != want {
		t.Errorf("rewritten file:\n%s\nwant:\n%s", got, want)
	}
	// Round trip: the rewritten file loads into the same configuration.
	back := New()
	if err := back.LoadString(strings.ReplaceAll(string(got), "rename-command FLUSHALL \"\"\n", "")); err != nil {
		t.Fatal(err)
	}
	for _, p := range c.All() {
		if g := back.Get(p.Name); g != p.Value {
			t.Errorf("round trip %s = %q, want %q", p.Name, g, p.Value)
		}
	}
	// Later rewrites keep the values (the text may move around: like
	// Redis, a multi-line directive reuses its old lines in class order).
	for i := 0; i < 2; i++ {
		if err := c.Rewrite(); err != nil {
			t.Fatal(err)
		}
		again, _ := os.ReadFile(conf)
		back := New()
		if err := back.LoadString(strings.ReplaceAll(string(again), "rename-command FLUSHALL \"\"\n", "")); err != nil {
			t.Fatal(err)
		}
		for _, p := range c.All() {
			if g := back.Get(p.Name); g != p.Value {
				t.Errorf("rewrite %d: %s = %q, want %q", i+2, p.Name, g, p.Value)
			}
		}
	}
	// Defaults: nothing to write beyond the lines every rewrite forces.
	fresh := New()
	if got := fresh.RewriteContent(""); got != "# Generated by CONFIG REWRITE\ndir "+Repr(fresh.Get("dir"))+"\nsave 3600 1\nsave 300 100\nsave 60 10000\nlatency-tracking-info-percentiles 50 99 99.9\n" {
		t.Errorf("fresh rewrite:\n%s", got)
	}
	if err := New().Rewrite(); err != ErrNoConfigFile {
		t.Errorf("rewrite without file: %v", err)
	}
}

func TestRepr(t *testing.T) {
	for in, want := range map[string]string{
		"":           `""`,
		"abc":        `"abc"`,
		"a b":        `"a b"`,
		"a\"b\\c":    `"a\"b\\c"`,
		"\n\r\t\a\b": `"\n\r\t\a\b"`,
		"\x00\xff~":  `"\x00\xff~"`,
	} {
		if got := Repr(in); got != want {
			t.Errorf("Repr(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestEffective(t *testing.T) {
	if Effective("maxmemory") || !Effective("port") || Effective("nosuch") {
		t.Error("effective set")
	}
	SetEffective("slave-read-only")
	if !Effective("replica-read-only") {
		t.Error("SetEffective through an alias")
	}
	effective.Delete("replica-read-only")
}

// TestApplyRollsBack checks CONFIG SET's apply step: a refusing applier
// fails the whole change, every directive gets its old value back and the
// appliers that ran are called again with theirs; watchers hear nothing.
func TestApplyRollsBack(t *testing.T) {
	c := New()
	var applied []string
	c.OnApply("port", func(v string) error {
		applied = append(applied, "port="+v)
		return nil
	})
	c.OnApply("bind", func(v string) error {
		applied = append(applied, "bind="+v)
		if v == "10.0.0.1" {
			return errors.New("Failed to bind to specified addresses.")
		}
		return nil
	})
	watched := 0
	c.Watch("maxmemory", func(string) { watched++ })
	err := c.SetMany([]string{"maxmemory", "10000001", "port", "7000", "bind", "10.0.0.1"}, true)
	var se *SetError
	if !errors.As(err, &se) || se.Arg != "bind" || se.Msg != "Failed to bind to specified addresses." {
		t.Fatalf("SetMany = %v", err)
	}
	if got := c.Get("maxmemory") + " " + c.Get("port") + " " + c.Get("bind"); got != "0 6379 * -::*" {
		t.Errorf("after the failed apply: maxmemory port bind = %q", got)
	}
	if want := "port=7000 bind=10.0.0.1 port=6379"; strings.Join(applied, " ") != want {
		t.Errorf("appliers ran %q, want %q", applied, want)
	}
	if watched != 0 {
		t.Errorf("a watcher heard of a change that was rolled back")
	}
	applied = nil
	if err := c.SetMany([]string{"port", "7001", "maxmemory", "1mb"}, true); err != nil {
		t.Fatal(err)
	}
	if c.Get("port") != "7001" || watched != 1 || strings.Join(applied, " ") != "port=7001" {
		t.Errorf("a good change: port %s, watched %d, applied %q", c.Get("port"), watched, applied)
	}
}

// TestFollow checks that Follow calls its function at once and after a
// change of any directive it names, and not for others.
func TestFollow(t *testing.T) {
	c := New()
	calls := 0
	c.Follow(func() { calls++ }, "hz", "maxclients")
	if calls != 1 {
		t.Fatalf("Follow did not apply at once: %d calls", calls)
	}
	for _, pair := range [][]string{{"hz", "20"}, {"maxclients", "100"}, {"timeout", "5"}, {"hz", "30", "maxclients", "50"}} {
		if err := c.SetMany(pair, true); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 5 {
		t.Errorf("%d calls after changes of hz, maxclients, timeout and both, want 5", calls)
	}
}
