package compat

import "testing"

func TestConnectionBasics(t *testing.T) {
	p := pair(t)
	p.CheckAll(Script(`
		PING
		PING hello
		ping "with space"
		PING a b
		ECHO ""
		ECHO "bin\x00ary"
		ECHO
		NOSUCHCOMMAND a b c
		nosuch
	`))
}
