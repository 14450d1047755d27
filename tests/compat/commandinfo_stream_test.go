package compat

import "testing"

// streamCommands are the stream commands Ember implements.
var streamCommands = []string{"xadd", "xlen", "xrange", "xrevrange", "xdel", "xtrim", "xread", "xsetid"}

// TestCommandInfoStream compares COMMAND INFO of the stream commands.
func TestCommandInfoStream(t *testing.T) {
	p := pair(t)
	for _, name := range streamCommands {
		p.Check("COMMAND", "INFO", name)
	}
	p.Check(append([]string{"COMMAND", "INFO"}, streamCommands...)...)
	p.CheckAll(Script(`
		COMMAND GETKEYS XADD k * f v
		COMMAND GETKEYS XREAD STREAMS a b 0 0
		COMMAND GETKEYS XREAD COUNT 1 BLOCK 0 STREAMS a 0
		COMMAND GETKEYS XRANGE k - +
		COMMAND GETKEYS XSETID k 1-1
	`))
}
