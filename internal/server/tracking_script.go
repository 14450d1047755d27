package server

import (
	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/handler"
)

// trackScriptRead runs when a script (EVAL, FCALL and their _RO forms)
// calls a read-only command while its caller tracks keys: as Redis 7.0,
// the keys remembered are those the script declared, whatever the command
// read.
func (s *Server) trackScriptRead(caller *handler.Ctx) {
	ts := s.track.State(caller.Client.ID)
	if ts == nil {
		return
	}
	keys, ok := caller.Spec.Keys(caller.Args, nil)
	if ok && len(keys) > 0 {
		s.track.Remember(ts, caller.Args, keys)
	}
}

// readOnlyScript reports whether spec is EVAL_RO, EVALSHA_RO or FCALL_RO:
// as Redis, their own keys are not remembered, only through the reads
// the script makes (trackScriptRead).
func readOnlyScript(spec *command.Spec) bool {
	switch spec.Name {
	case "eval_ro", "evalsha_ro", "fcall_ro":
		return true
	}
	return false
}

// trackServed runs on a blocked write command's goroutine once another
// client's write served it: the keys the command changed are invalidated
// then, not when it blocked. The client's own pushes wait behind the
// reply, as Redis sends them after the command.
func (s *Server) trackServed(c *client.Client, spec *command.Spec, args [][]byte) {
	if spec.Flags&command.Write == 0 {
		return
	}
	if ts := s.track.State(c.ID); ts != nil {
		ts.Begin()
	}
	keys, ok := spec.Keys(args, nil)
	if !ok || len(keys) == 0 {
		return
	}
	written := make([][]byte, len(keys))
	for i, p := range keys {
		written[i] = args[p]
	}
	s.track.Invalidate(c.ID, written)
}
