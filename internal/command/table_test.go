package command_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/handler"
)

// TestTable checks the command table against itself and against the
// handlers: every spec that can run has a handler, every handler has a
// spec, names are lower-case, subcommands are named "parent|sub", and
// every arity is non-zero.
func TestTable(t *testing.T) {
	specs := map[string]bool{}
	check := func(s *command.Spec, parent *command.Spec) {
		specs[s.Name] = true
		if s.Name != strings.ToLower(s.Name) {
			t.Errorf("%s: name not lower-case", s.Name)
		}
		if s.Arity == 0 {
			t.Errorf("%s: arity 0", s.Name)
		}
		if s.Group == "" {
			t.Errorf("%s: no group", s.Name)
		}
		if s.Since == "" {
			t.Errorf("%s: no since", s.Name)
		}
		if s.Summary == "" {
			t.Errorf("%s: no summary", s.Name)
		}
		if s.Complexity == "" && s.Name != "monitor" { // Redis documents none for MONITOR
			t.Errorf("%s: no complexity", s.Name)
		}
		if parent != nil {
			if !strings.HasPrefix(s.Name, parent.Name+"|") || strings.Count(s.Name, "|") != 1 {
				t.Errorf("%s: subcommand of %s not named %s|<sub>", s.Name, parent.Name, parent.Name)
			}
			if s.Parent != parent {
				t.Errorf("%s: Parent not set", s.Name)
			}
			if len(s.Subs) > 0 {
				t.Errorf("%s: subcommands nested more than one level", s.Name)
			}
			if s.Arity > 0 && s.Arity < 2 || s.Arity < 0 && s.Arity > -2 {
				t.Errorf("%s: arity %d leaves no room for the subcommand name", s.Name, s.Arity)
			}
		} else if strings.Contains(s.Name, "|") {
			t.Errorf("%s: top-level name contains '|'", s.Name)
		}
		if command.ByID(s.ID) != s {
			t.Errorf("%s: ByID(%d) is not the spec", s.Name, s.ID)
		}
		// A container runs its own handler only when it may be called
		// without a subcommand (COMMAND); its subcommands always need one.
		runs := len(s.Subs) == 0 || s.Arity == -1 || s.Arity == 1
		if runs && handler.Lookup(s.Name) == nil {
			t.Errorf("%s: no handler", s.Name)
		}
		if s.Flags&command.Write != 0 && s.Flags&command.ReadOnly != 0 {
			t.Errorf("%s: both write and readonly", s.Name)
		}
	}
	for _, s := range command.All() {
		if command.LookupString(strings.ToUpper(s.Name)) != s {
			t.Errorf("%s: not found by its upper-case name", s.Name)
		}
		check(s, nil)
		for _, sub := range s.Subs {
			check(sub, s)
			if got := s.Sub([]byte(strings.ToUpper(sub.SubName()))); got != sub {
				t.Errorf("%s: not found by Sub", sub.Name)
			}
			if got := command.LookupName([]byte(sub.Name)); got != sub {
				t.Errorf("%s: not found by LookupName", sub.Name)
			}
		}
	}
	for _, name := range handler.Names() {
		if !specs[name] {
			t.Errorf("handler %q has no spec", name)
		}
	}
	if n := command.Count(); n != len(specs) {
		t.Errorf("Count() = %d, want %d", n, len(specs))
	}
}

func TestLookupName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // "" for nil
	}{
		{"ping", "ping"},
		{"PING", "ping"},
		{"client|list", "client|list"},
		{"CLIENT|List", "client|list"},
		{"client", "client"},
		{"client|", ""},
		{"client|nosuch", ""},
		{"client|list|x", ""},
		{"ping|x", ""},
		{"|", ""},
		{"", ""},
		{"nosuch", ""},
	} {
		got := command.LookupName([]byte(tc.name))
		switch {
		case got == nil && tc.want != "":
			t.Errorf("LookupName(%q) = nil, want %s", tc.name, tc.want)
		case got != nil && got.Name != tc.want:
			t.Errorf("LookupName(%q) = %s, want %q", tc.name, got.Name, tc.want)
		}
	}
}

// TestMayWait: the commands that may keep their connection waiting
// without being blocking are exactly the scripts, the subscriber and
// monitor modes, DEBUG, SHUTDOWN and WAIT; none of them is shown to
// clients as a flag.
func TestMayWait(t *testing.T) {
	var got []string
	for _, s := range command.All() {
		if s.Flags&command.MayWait != 0 {
			got = append(got, s.Name)
		}
		for _, sub := range s.Subs {
			if sub.Flags&command.MayWait != 0 {
				got = append(got, sub.Name)
			}
		}
	}
	slices.Sort(got)
	want := []string{"debug", "eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro",
		"monitor", "psubscribe", "shutdown", "ssubscribe", "subscribe", "wait"}
	if !slices.Equal(got, want) {
		t.Errorf("MayWait commands %v, want %v", got, want)
	}
	if names := command.MayWait.Names(); len(names) != 0 {
		t.Errorf("MayWait shows as %v", names)
	}
}
