package client

import (
	"fmt"
	"net"
	"testing"
	"time"
)

func TestState(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := New(7, a, time.Unix(100, 0))
	if c.MultiLen() != -1 || c.Flags() != 0 || c.PubSub() || c.Proto() != 2 || c.User != "default" {
		t.Fatalf("fresh client: multi %d flags %d pubsub %v proto %d user %q", c.MultiLen(), c.Flags(), c.PubSub(), c.Proto(), c.User)
	}
	c.SetFlag(FlagBlocked|FlagDirtyCAS, true)
	c.SetFlag(FlagBlocked, false)
	if c.Flags() != FlagDirtyCAS {
		t.Errorf("flags = %b", c.Flags())
	}
	c.SetSubscriptions(3, 1<<20, 5)
	if ch, pat, sh := c.Subscriptions(); ch != 3 || pat != 1<<20 || sh != 5 || !c.PubSub() {
		t.Errorf("subscriptions = %d %d %d", ch, pat, sh)
	}
	c.SetSubscriptions(0, 0, 0)
	if c.PubSub() {
		t.Error("PubSub with no subscriptions")
	}
	if c.Unblock(true) {
		t.Error("Unblock with no unblocker")
	}
	var got []bool
	c.SetUnblocker(func(withError bool) bool { got = append(got, withError); return true })
	if !c.Unblock(true) || !c.Unblock(false) || len(got) != 2 || !got[0] || got[1] {
		t.Errorf("unblocker calls %v", got)
	}
	c.SetUnblocker(nil)
	if c.Unblock(false) {
		t.Error("Unblock after removing the unblocker")
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	var cs []*Client
	for i := 0; i < 3; i++ {
		c := New(r.NextID(), nil, time.Now())
		cs = append(cs, c)
		r.Add(c)
	}
	r.Remove(cs[1])
	r.Remove(cs[1])
	l := r.List()
	if len(l) != 2 || l[0] != cs[0] || l[1] != cs[2] || r.Len() != 2 || r.Get(cs[1].ID) != nil || r.Get(cs[2].ID) != cs[2] {
		t.Errorf("registry: %v", l)
	}
}

func TestWarmBufGroups(t *testing.T) {
	var w WarmBuf
	add := func(key string, members ...string) {
		from := len(w.Members)
		for _, m := range members {
			w.Members = append(w.Members, []byte(m))
		}
		w.AddMembers([]byte(key), from)
	}
	add("s", "a", "b")
	add("s", "c")
	add("h")      // no members: no group
	add("h", "f") // another key: a new group
	add("s", "d") // back to s: a new group again
	var got []string
	for _, g := range w.MemberGroups() {
		got = append(got, fmt.Sprintf("%s%s", g.Key, g.Members))
	}
	if want := "[s[a b c] h[f] s[d]]"; fmt.Sprint(got) != want {
		t.Fatalf("groups %v, want %s", got, want)
	}
	w.Reset()
	if len(w.Keys)+len(w.Members)+len(w.Groups)+len(w.MemberGroups()) != 0 {
		t.Fatal("Reset left something")
	}
}
