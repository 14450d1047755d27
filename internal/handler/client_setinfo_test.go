package handler

import "testing"

// TestClientSetInfo checks CLIENT SETINFO (Redis 7.2, which the reference
// server lacks): the values land on the client, and bad attributes and
// values get Redis 7.2's errors, which name the attribute as sent.
func TestClientSetInfo(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genOK, "client", "setinfo", "LIB-NAME", "go-redis(,go1.26)")
	h.expect(genOK, "client", "setinfo", "lib-ver", "9.7.0")
	if n, v := h.cl.LibName(), h.cl.LibVer(); n != "go-redis(,go1.26)" || v != "9.7.0" {
		t.Fatalf("lib-name %q lib-ver %q", n, v)
	}
	h.expect(genOK, "client", "setinfo", "Lib-Name", "!~{}[]")
	if n := h.cl.LibName(); n != "!~{}[]" {
		t.Errorf("lib-name %q", n)
	}

	bad := func(attr string) string {
		return genErr("ERR " + attr + " cannot contain spaces, newlines or special characters.")
	}
	for _, v := range []string{"a b", "a\nb", "a\rb", " ", "\t", "\x7f", "\x80abc", "caf\xc3\xa9", "\x01"} {
		h.expect(bad("LIB-NAME"), "client", "setinfo", "LIB-NAME", v)
		h.expect(bad("lib-ver"), "client", "setinfo", "lib-ver", v)
	}
	// A failed SETINFO leaves the values alone.
	if n, v := h.cl.LibName(), h.cl.LibVer(); n != "!~{}[]" || v != "9.7.0" {
		t.Errorf("after errors: lib-name %q lib-ver %q", n, v)
	}

	// Redis checks the value as a C string: a NUL ends the check, and the
	// whole value is kept.
	h.expect(genOK, "client", "setinfo", "lib-ver", "1.0\x00 x")
	if v := h.cl.LibVer(); v != "1.0\x00 x" {
		t.Errorf("lib-ver %q", v)
	}
	h.expect(genOK, "client", "setinfo", "lib-ver", "\x00")

	// An empty value clears the attribute.
	h.expect(genOK, "client", "setinfo", "lib-name", "")
	h.expect(genOK, "client", "setinfo", "LIB-VER", "")
	if n, v := h.cl.LibName(), h.cl.LibVer(); n != "" || v != "" {
		t.Errorf("after clearing: lib-name %q lib-ver %q", n, v)
	}

	// Unknown attributes: the name is echoed up to a NUL, newlines become
	// spaces; the value is not checked first.
	unknown := func(attr string) string { return genErr("ERR Unrecognized option '" + attr + "'") }
	h.expect(unknown("lib-foo"), "client", "setinfo", "lib-foo", "x")
	h.expect(unknown("name"), "client", "setinfo", "name", "a b")
	h.expect(unknown(""), "client", "setinfo", "", "x")
	h.expect(unknown("LIB-NAME "), "client", "setinfo", "LIB-NAME ", "x")
	h.expect(unknown("a b"), "client", "setinfo", "a\nb", "x")
	h.expect(unknown("ab"), "client", "setinfo", "ab\x00cd", "x")
	if n, v := h.cl.LibName(), h.cl.LibVer(); n != "" || v != "" {
		t.Errorf("after unknown attributes: lib-name %q lib-ver %q", n, v)
	}

}

// TestClientNoTouchFlag checks CLIENT NO-TOUCH's replies and the client
// flag it sets (TestClientNoTouch checks its effect, and RESET, through a
// server).
func TestClientNoTouchFlag(t *testing.T) {
	h := newGenHarness(t)
	h.expect(genOK, "client", "no-touch", "ON")
	if !h.cl.NoTouch() {
		t.Fatal("NO-TOUCH ON did not set the flag")
	}
	h.expect(genErr("ERR syntax error"), "client", "no-touch", "maybe")
	h.expect(genErr("ERR syntax error"), "client", "no-touch", "")
	h.expect(genErr("ERR syntax error"), "client", "no-touch", "onn")
	if !h.cl.NoTouch() {
		t.Fatal("a bad NO-TOUCH changed the flag")
	}
	h.expect(genOK, "client", "no-touch", "off")
	if h.cl.NoTouch() {
		t.Fatal("NO-TOUCH OFF left the flag set")
	}
}
