package server

import (
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/keyspace"
)

// prefetchCommands bounds the commands of one read whose keys are warmed.
const prefetchCommands = 32

// prefetchOff turns warming off (benchmarks compare with it).
var prefetchOff = false

// prefetch warms the keys of first, the command about to run, and of the
// commands buffered behind it (a pipeline; MSET's ten keys are worth it
// alone), before any of them runs: Keyspace.Prefetch overlaps the cache
// misses their lookups would otherwise take one after another, and does
// the same for the members that collection commands look up in their key
// (the member specs of the command table: Spec.MemberArgs). Commands it
// cannot place (unknown, with subcommands, touching every key) are
// skipped; it changes nothing. It returns how many commands, first
// included, it looked at before its PrefetchMax keys ran out: after they
// ran, the next ones are warmed.
func (s *Server) prefetch(c *client.Client, first [][]byte) int {
	if prefetchOff {
		return prefetchCommands
	}
	w := &c.Warm
	defer w.Reset()
	covered := 0
	add := func(args [][]byte) {
		if len(w.Keys) >= keyspace.PrefetchMax {
			return
		}
		covered++
		spec := lookupCommand(c, args[0])
		if spec == nil || len(spec.Subs) > 0 || spec.Flags&command.AllKeys != 0 ||
			len(spec.KeySpecs) == 0 || (spec.Arity > 0 && len(args) != spec.Arity) || len(args) < -spec.Arity {
			return
		}
		idx, ok := spec.Keys(args, c.KeyBuf[:0])
		c.KeyBuf = idx
		if !ok {
			return
		}
		for _, i := range idx {
			if len(w.Keys) < keyspace.PrefetchMax {
				w.Keys = append(w.Keys, args[i])
			}
		}
		if len(idx) == 1 && len(w.Members) < keyspace.PrefetchMax {
			from := len(w.Members)
			w.Members = spec.MemberArgs(args, w.Members)
			w.AddMembers(args[idx[0]], from)
		}
	}
	add(first)
	c.Reader.PeekCommands(prefetchCommands, add)
	groups := w.MemberGroups()
	if len(w.Keys) > 1 || len(groups) > 0 {
		s.ks.Prefetch(c.DB(), w.Keys, groups)
	}
	return covered
}
