package value

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestStreamPELModel runs random inserts, deletes and lookups against a
// sorted-slice model.
func TestStreamPELModel(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var p StreamPEL
	var model []StreamID
	find := func(id StreamID) (int, bool) {
		return slices.BinarySearchFunc(model, id, func(a, b StreamID) int { return a.Cmp(b) })
	}
	for i := 0; i < 50000; i++ {
		id := StreamID{Ms: uint64(r.IntN(3000)), Seq: uint64(r.IntN(3))}
		if i%3 == 0 { // mostly appends, as XREADGROUP makes them
			id = StreamID{Ms: uint64(3000 + i)}
		}
		switch r.IntN(5) {
		case 0, 1, 2:
			j, found := find(id)
			if got := p.Insert(&StreamNACK{ID: id}); got == found {
				t.Fatalf("Insert(%v) = %v, model has it: %v", id, got, found)
			}
			if !found {
				model = slices.Insert(model, j, id)
			}
		case 3:
			j, found := find(id)
			n := p.Delete(id)
			if (n != nil) != found || (n != nil && n.ID != id) {
				t.Fatalf("Delete(%v) = %v, model has it: %v", id, n, found)
			}
			if found {
				model = slices.Delete(model, j, j+1)
			}
		default:
			_, found := find(id)
			if n := p.Get(id); (n != nil) != found {
				t.Fatalf("Get(%v) = %v, model has it: %v", id, n, found)
			}
			j, _ := find(id)
			c := p.Ceil(id)
			if (j == len(model)) != (c == nil) || (c != nil && c.ID != model[j]) {
				t.Fatalf("Ceil(%v) = %v, model says index %d of %d", id, c, j, len(model))
			}
		}
		if p.Len() != len(model) {
			t.Fatalf("Len %d, model %d", p.Len(), len(model))
		}
		if i%5000 == 0 {
			if msg, ok := p.check(); !ok {
				t.Fatal(msg)
			}
			var walked []StreamID
			p.Ascend(StreamID{}, func(n *StreamNACK) bool { walked = append(walked, n.ID); return true })
			if !slices.Equal(walked, model) {
				t.Fatalf("Ascend walks %d IDs, model has %d", len(walked), len(model))
			}
			if len(model) > 0 && (p.First().ID != model[0] || p.Last().ID != model[len(model)-1]) {
				t.Fatal("First/Last disagree with the model")
			}
		}
	}
}

func streamGroupFixture(t *testing.T) (*Stream, *StreamGroup) {
	t.Helper()
	s := NewStream()
	for i := 1; i <= 50; i++ {
		s.Append(StreamID{Ms: uint64(i)}, [][]byte{[]byte("f"), []byte(strconv.Itoa(i))}, 8, 4096)
		s.EntriesAdded++
	}
	if s.CreateGroup([]byte("g"), StreamID{}, StreamEntriesReadInvalid) == nil {
		t.Fatal("CreateGroup")
	}
	if s.CreateGroup([]byte("g"), StreamID{}, 0) != nil {
		t.Fatal("CreateGroup accepted a taken name")
	}
	s.CreateGroup([]byte("a"), StreamID{Ms: 50}, 50)
	g := s.Group([]byte("g"))
	c1 := g.CreateConsumer([]byte("c1"), 100)
	c2 := g.CreateConsumer([]byte("c2"), 100)
	if g.CreateConsumer([]byte("c1"), 0) != nil {
		t.Fatal("CreateConsumer accepted a taken name")
	}
	first := s.RecordedFirstID()
	for i := 1; i <= 30; i++ {
		id := StreamID{Ms: uint64(i)}
		s.Advance(g, id, first)
		if i%3 == 0 {
			g.Deliver(id, c2, 200)
		} else {
			g.Deliver(id, c1, 200)
		}
	}
	return s, g
}

func TestStreamGroups(t *testing.T) {
	s, g := streamGroupFixture(t)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if names := []string{s.Groups()[0].Name, s.Groups()[1].Name}; names[0] != "a" || names[1] != "g" {
		t.Fatalf("groups in order %v", names)
	}
	if g.EntriesRead != 30 || g.LastID != (StreamID{Ms: 30}) {
		t.Fatalf("entries read %d, last %v", g.EntriesRead, g.LastID)
	}
	if lag, ok := s.Lag(g); !ok || lag != 20 {
		t.Fatalf("lag %d %v", lag, ok)
	}
	c1, c2 := g.Consumer([]byte("c1")), g.Consumer([]byte("c2"))
	if g.PEL.Len() != 30 || c1.PEL.Len() != 20 || c2.PEL.Len() != 10 {
		t.Fatalf("PELs %d %d %d", g.PEL.Len(), c1.PEL.Len(), c2.PEL.Len())
	}
	// Redelivery after SETID moves the entry to the reader.
	g.Deliver(StreamID{Ms: 3}, c1, 300)
	if n := g.PEL.Get(StreamID{Ms: 3}); n.Consumer != c1 || n.DeliveryCount != 1 || n.DeliveryTime != 300 {
		t.Fatalf("redelivered NACK %+v", n)
	}
	g.Move(g.PEL.Get(StreamID{Ms: 1}), c2)
	if !g.Ack(StreamID{Ms: 2}) || g.Ack(StreamID{Ms: 2}) {
		t.Fatal("Ack")
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	// Deleting an entry leaves its pending entry; the lag becomes unknown
	// behind the tombstone.
	s.Delete(StreamID{Ms: 40})
	if _, ok := s.Lag(g); ok {
		t.Fatal("lag known across a tombstone")
	}
	cp := s.Clone().(*Stream)
	g.DeleteConsumer(c1)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if g.Consumer([]byte("c1")) != nil || g.PEL.Len() != c2.PEL.Len() {
		t.Fatal("DeleteConsumer left its entries")
	}
	if err := cp.Check(); err != nil {
		t.Fatalf("clone: %v", err)
	}
	cg := cp.Group([]byte("g"))
	if cg.PEL.Len() != 29 || cg.Consumer([]byte("c1")) == nil || cg.PEL.Get(StreamID{Ms: 1}).Consumer != cg.Consumer([]byte("c2")) {
		t.Fatal("clone lost state the original had when cloned")
	}
	if !s.DestroyGroup([]byte("g")) || s.DestroyGroup([]byte("g")) || s.Group([]byte("g")) != nil {
		t.Fatal("DestroyGroup")
	}
	if cp.Group([]byte("g")) == nil {
		t.Fatal("destroying the original's group changed the clone")
	}
}

// The check must catch a pending entry its consumer does not list, one
// listed by a consumer that does not own it, and counts that disagree.
func TestStreamGroupCheckCatches(t *testing.T) {
	s, g := streamGroupFixture(t)
	c1 := g.Consumer([]byte("c1"))
	c1.PEL.Delete(StreamID{Ms: 1})
	if s.Check() == nil {
		t.Error("a pending entry missing from its consumer passed")
	}
	s, g = streamGroupFixture(t)
	g.Consumer([]byte("c2")).PEL.Insert(g.PEL.Get(StreamID{Ms: 1}))
	if s.Check() == nil {
		t.Error("an entry listed by two consumers passed")
	}
	s, g = streamGroupFixture(t)
	g.PEL.Delete(StreamID{Ms: 1})
	if s.Check() == nil {
		t.Error("a consumer entry missing from the group PEL passed")
	}
	s, _ = streamGroupFixture(t)
	s.length++
	if s.Check() == nil {
		t.Error("a wrong stream length passed")
	}
}

// TestStreamRadixNodes checks the rax node count against shapes worked
// out by hand (and compared with Redis by the compat tests).
func TestStreamRadixNodes(t *testing.T) {
	s := NewStream()
	if n := s.RadixNodes(); n != 1 {
		t.Fatalf("empty: %d", n)
	}
	s.Append(StreamID{Ms: 1}, [][]byte{[]byte("f"), []byte("v")}, 1, 0)
	if n := s.RadixNodes(); n != 2 {
		t.Fatalf("one key: %d", n)
	}
	// Two keys that differ in the last byte: a 15-byte compressed node, a
	// branch, two leaves.
	s.Append(StreamID{Ms: 1, Seq: 1}, [][]byte{[]byte("f"), []byte("v")}, 1, 0)
	if n := s.RadixNodes(); n != 4 {
		t.Fatalf("two keys differing last: %d", n)
	}
	// A third key differing at byte 7 (the low byte of ms): the shared 7
	// bytes, a branch; below it the old pair (7 shared bytes, branch, two
	// leaves) and the new key (compressed rest, leaf).
	s.Append(StreamID{Ms: 2}, [][]byte{[]byte("f"), []byte("v")}, 1, 0)
	if n := s.RadixNodes(); n != 1+1+(1+1+2)+2 {
		t.Fatalf("three keys: %d", n)
	}
}

// TestStreamBytesPerEntry reports the packed size of 100k small entries.
func TestStreamBytesPerEntry(t *testing.T) {
	s := NewStream()
	const n = 100000
	for i := 1; i <= n; i++ {
		s.Append(StreamID{Ms: uint64(1700000000000 + i)}, [][]byte{
			[]byte("sensor"), []byte(strconv.Itoa(i % 1000)), []byte("v"), []byte(strconv.Itoa(i * 7))}, 100, 4096)
	}
	per := float64(s.Bytes()) / n
	t.Logf("100k small entries: %d bytes, %.1f bytes per entry, %d blocks", s.Bytes(), per, s.Blocks())
	if per > 40 {
		t.Errorf("%.1f bytes per small entry", per)
	}
}

func BenchmarkStreamAppendBytesPerEntry(b *testing.B) {
	f := [][]byte{[]byte("sensor"), []byte("42"), []byte("v"), []byte("1234")}
	s := NewStream()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Append(StreamID{Ms: uint64(i + 1)}, f, 100, 4096)
	}
	b.ReportMetric(float64(s.Bytes())/float64(s.Len()), "bytes/entry")
}
