package compat

import "testing"

// streamCommands are the stream commands Ember implements.
var streamCommands = []string{"xadd", "xlen", "xrange", "xrevrange", "xdel", "xtrim", "xread", "xsetid",
	"xreadgroup", "xack", "xpending", "xclaim", "xautoclaim", "xgroup", "xinfo"}

// streamSubcommands are the XGROUP and XINFO subcommands.
var streamSubcommands = []string{"xgroup|create", "xgroup|setid", "xgroup|destroy", "xgroup|createconsumer",
	"xgroup|delconsumer", "xgroup|help", "xinfo|stream", "xinfo|groups", "xinfo|consumers", "xinfo|help"}

// TestCommandInfoStream compares COMMAND INFO of the stream commands and
// subcommands, in RESP2 and RESP3 (subcommand lists sorted: Redis lists
// them in hash table order).
func TestCommandInfoStream(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			p := pair(t)
			p.Both("HELLO", proto)
			p.Normalize = genSortSubcommands
			for _, name := range streamCommands {
				p.Check("COMMAND", "INFO", name)
			}
			for _, name := range streamSubcommands {
				p.Check("COMMAND", "INFO", name)
			}
			p.Check(append([]string{"COMMAND", "INFO"}, streamCommands...)...)
		})
	}
	p := pair(t)
	p.CheckAll(Script(`
		COMMAND GETKEYS XADD k * f v
		COMMAND GETKEYS XREAD STREAMS a b 0 0
		COMMAND GETKEYS XREAD COUNT 1 BLOCK 0 STREAMS a 0
		COMMAND GETKEYS XRANGE k - +
		COMMAND GETKEYS XSETID k 1-1
		COMMAND GETKEYS XREADGROUP GROUP g c STREAMS a b > >
		COMMAND GETKEYS XREADGROUP GROUP g c COUNT 1 BLOCK 0 NOACK STREAMS a >
		COMMAND GETKEYSANDFLAGS XREADGROUP GROUP g c STREAMS a >
		COMMAND GETKEYS XACK k g 1-1
		COMMAND GETKEYS XPENDING k g
		COMMAND GETKEYS XCLAIM k g c 0 1-1
		COMMAND GETKEYS XAUTOCLAIM k g c 0 0
		COMMAND GETKEYS XGROUP CREATE k g $
		COMMAND GETKEYSANDFLAGS XGROUP DESTROY k g
		COMMAND GETKEYS XINFO STREAM k
		COMMAND GETKEYS XINFO HELP
	`))
}
