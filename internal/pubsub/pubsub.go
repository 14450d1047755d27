// Package pubsub is Redis 7.0's publish/subscribe: channels, patterns and
// shard channels, each mapped to the clients subscribed to it.
//
// Delivery. A message for a subscriber is one complete frame (message,
// pmessage or smessage; an array in RESP2, a push in RESP3) added to that
// subscriber's connection. Ember writes a client's replies to its socket
// only between batches of commands, so a frame written by the publisher's
// goroutine could overtake a reply still waiting in the subscriber's
// writer (its SUBSCRIBE confirmation, say). As internal/tracking does for
// invalidations, every subscriber has a mailbox: while it runs commands
// or has replies not yet handed to its connection it is busy and frames
// wait in the mailbox; its own goroutine moves them into its replies when
// its next command starts (Begin), and writes them after its replies when
// it flushes (Flushed). An idle subscriber gets frames written at once,
// under the mailbox mutex, so frames keep their order. A client that
// publishes to itself gets the frame in its replies at once, before the
// PUBLISH reply, as in Redis.
//
// Output limits. The bytes waiting for a subscriber (its mailbox and what
// its connection has not written yet) are bounded by the pubsub class of
// client-output-buffer-limit: past the hard limit, or past the soft limit
// for longer than its seconds, the subscriber is disconnected.
//
// When no client of the process is subscribed, Active is a single atomic
// load and the dispatcher skips everything else.
package pubsub

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/ember-kv/ember/internal/client"
	"github.com/ember-kv/ember/internal/glob"
)

// Kind is a kind of subscription.
type Kind uint8

// Subscription kinds.
const (
	Channel Kind = iota // SUBSCRIBE
	Pattern             // PSUBSCRIBE
	Shard               // SSUBSCRIBE
)

// active counts the subscribers of every table of the process.
var active atomic.Int64

// Active reports whether any client of the process has a subscription.
func Active() bool { return active.Load() != 0 }

// Limits is the pubsub class of client-output-buffer-limit, in bytes and
// seconds; 0 means no limit.
type Limits struct {
	Hard, Soft  int64
	SoftSeconds int64
}

// DefaultLimits are Redis's defaults for the pubsub class.
var DefaultLimits = Limits{Hard: 32 << 20, Soft: 8 << 20, SoftSeconds: 60}

// ParseLimits reads the pubsub class from the value of
// client-output-buffer-limit as CONFIG GET shows it ("normal 0 0 0 slave
// ... pubsub 33554432 8388608 60"); a value without it gives the defaults.
func ParseLimits(v string) Limits {
	f := strings.Fields(v)
	for i := 0; i+3 < len(f); i += 4 {
		if f[i] != "pubsub" {
			continue
		}
		h, err1 := strconv.ParseInt(f[i+1], 10, 64)
		s, err2 := strconv.ParseInt(f[i+2], 10, 64)
		t, err3 := strconv.ParseInt(f[i+3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			break
		}
		return Limits{Hard: h, Soft: s, SoftSeconds: t}
	}
	return DefaultLimits
}

// Sub is one subscriber: its subscriptions and its delivery mailbox.
type Sub struct {
	c *client.Client

	// Guarded by the table's mutex.
	names [3][]string // per Kind, in subscription order

	mu        sync.Mutex
	busy      bool
	pending   []byte
	softSince time.Time // when the waiting bytes passed the soft limit
	gone      bool      // removed: deliver nothing
}

// Table is the pub/sub state of one server.
type Table struct {
	mu    sync.RWMutex
	subs  map[int64]*Sub
	chans [3]map[string][]*Sub // per Kind: name → subscribers, in order
	pats  []string             // the patterns of chans[Pattern], in order

	limits atomic.Pointer[Limits]
	n      atomic.Int64 // subscribers of this table
	now    func() time.Time
}

var tables sync.Map // weak.Pointer[client.Registry] → *Table

// For returns the table of the server whose clients are reg, creating it
// on first use.
func For(reg *client.Registry) *Table {
	key := weak.Make(reg)
	if v, ok := tables.Load(key); ok {
		return v.(*Table)
	}
	v, loaded := tables.LoadOrStore(key, New())
	if !loaded {
		runtime.AddCleanup(reg, func(k weak.Pointer[client.Registry]) {
			if v, ok := tables.LoadAndDelete(k); ok {
				t := v.(*Table)
				active.Add(-t.n.Swap(0))
			}
		}, key)
	}
	return v.(*Table)
}

// New returns an empty table with the default limits.
func New() *Table {
	t := &Table{subs: make(map[int64]*Sub), now: time.Now}
	for i := range t.chans {
		t.chans[i] = make(map[string][]*Sub)
	}
	l := DefaultLimits
	t.limits.Store(&l)
	return t
}

// SetLimits sets the output limits of subscribers.
func (t *Table) SetLimits(l Limits) { t.limits.Store(&l) }

// SetClock replaces the clock of the soft limit (tests).
func (t *Table) SetClock(now func() time.Time) { t.now = now }

// Count is the number of channels (shard channels) with at least one
// subscriber, or of distinct patterns: INFO pubsub_channels,
// pubsub_patterns, pubsubshard_channels and PUBSUB NUMPAT.
func (t *Table) Count(k Kind) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.chans[k])
}

// NumSub is the number of subscribers of a channel or shard channel.
func (t *Table) NumSub(k Kind, name []byte) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.chans[k][string(name)])
}

// Names lists the channels (k Channel or Shard) with subscribers that
// match pattern (all of them when pattern is nil), sorted.
func (t *Table) Names(k Kind, pattern []byte) []string {
	t.mu.RLock()
	var out []string
	for name := range t.chans[k] {
		if pattern == nil || glob.Match(pattern, []byte(name)) {
			out = append(out, name)
		}
	}
	t.mu.RUnlock()
	slices.Sort(out)
	return out
}

// Subscriptions returns the names c is subscribed to, of kind k, in
// subscription order.
func (t *Table) Subscriptions(c *client.Client, k Kind) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if s := t.subs[c.ID]; s != nil {
		return slices.Clone(s.names[k])
	}
	return nil
}

// Subscribed reports whether client id is subscribed to channel name.
func (t *Table) Subscribed(id int64, k Kind, name string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	s := t.subs[id]
	return s != nil && slices.Contains(s.names[k], name)
}

// counts are the subscription counts of s.
func (s *Sub) counts() (int, int, int) {
	return len(s.names[Channel]), len(s.names[Pattern]), len(s.names[Shard])
}

// Total is the count a (un)subscribe confirmation reports: channels plus
// patterns, or shard channels for the shard commands.
func Total(c *client.Client, k Kind) int {
	ch, pat, sh := c.Subscriptions()
	if k == Shard {
		return sh
	}
	return ch + pat
}

// Subscribe subscribes c to name; it reports false when c already was.
func (t *Table) Subscribe(c *client.Client, k Kind, name []byte) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.subs[c.ID]
	if s == nil {
		if c.Killed() {
			return false
		}
		// Its command's reply is not flushed yet: busy.
		s = &Sub{c: c, busy: true}
		t.subs[c.ID] = s
		t.n.Add(1)
		active.Add(1)
	}
	if slices.Contains(s.names[k], string(name)) {
		return false
	}
	n := string(name)
	s.names[k] = append(s.names[k], n)
	list, ok := t.chans[k][n]
	if !ok && k == Pattern {
		t.pats = append(t.pats, n)
	}
	t.chans[k][n] = append(list, s)
	c.SetSubscriptions(s.counts())
	return true
}

// Unsubscribe unsubscribes c from name; it reports false when c was not
// subscribed to it.
func (t *Table) Unsubscribe(c *client.Client, k Kind, name []byte) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.subs[c.ID]
	if s == nil {
		return false
	}
	i := slices.Index(s.names[k], string(name))
	if i < 0 {
		return false
	}
	t.dropLocked(s, k, i)
	s.drainTo(c)
	t.settleLocked(s)
	return true
}

// UnsubscribeAll unsubscribes c from every name of kind k and returns
// them, in subscription order.
func (t *Table) UnsubscribeAll(c *client.Client, k Kind) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.subs[c.ID]
	if s == nil || len(s.names[k]) == 0 {
		return nil
	}
	names := slices.Clone(s.names[k])
	for len(s.names[k]) > 0 {
		t.dropLocked(s, k, 0)
	}
	s.drainTo(c)
	t.settleLocked(s)
	return names
}

// dropLocked removes s's i-th subscription of kind k.
func (t *Table) dropLocked(s *Sub, k Kind, i int) {
	n := s.names[k][i]
	s.names[k] = slices.Delete(s.names[k], i, i+1)
	list := t.chans[k][n]
	if j := slices.Index(list, s); j >= 0 {
		list = slices.Delete(list, j, j+1)
	}
	if len(list) == 0 {
		delete(t.chans[k], n)
		if k == Pattern {
			if j := slices.Index(t.pats, n); j >= 0 {
				t.pats = slices.Delete(t.pats, j, j+1)
			}
		}
	} else {
		t.chans[k][n] = list
	}
}

// settleLocked records s's counts on its client and forgets s once it has
// no subscription left.
func (t *Table) settleLocked(s *Sub) {
	s.c.SetSubscriptions(s.counts())
	ch, pat, sh := s.counts()
	if ch+pat+sh > 0 {
		return
	}
	delete(t.subs, s.c.ID)
	t.n.Add(-1)
	active.Add(-1)
	s.mu.Lock()
	s.gone = true
	s.mu.Unlock()
}

// Remove drops every subscription of c, without confirmations
// (disconnection, RESET). It returns the frames still in c's mailbox,
// which c's own goroutine may add to its replies.
func (t *Table) Remove(c *client.Client) []byte {
	t.mu.Lock()
	s := t.subs[c.ID]
	if s == nil {
		t.mu.Unlock()
		return nil
	}
	for k := range s.names {
		for len(s.names[k]) > 0 {
			t.dropLocked(s, Kind(k), 0)
		}
	}
	t.settleLocked(s)
	t.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending
	s.pending = nil
	return p
}

// sub returns c's subscriber state, or nil.
func (t *Table) sub(id int64) *Sub {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.subs[id]
}

// Begin is called by c's goroutine before each of its commands while
// Active: frames waiting in its mailbox join its replies, and frames
// arriving during the command wait.
func (t *Table) Begin(c *client.Client) {
	s := t.sub(c.ID)
	if s == nil {
		return
	}
	s.mu.Lock()
	s.busy = true
	if len(s.pending) > 0 {
		c.Out.Raw(s.pending)
		s.pending = s.pending[:0]
	}
	s.mu.Unlock()
}

// drainTo moves the frames waiting in s's mailbox into c's replies. The
// unsubscribe functions, run by c's own goroutine, call it before c
// writes its confirmation: no frame of a channel then follows the
// confirmation of its unsubscription, as in Redis.
func (s *Sub) drainTo(c *client.Client) {
	s.mu.Lock()
	if len(s.pending) > 0 {
		c.Out.Raw(s.pending)
		s.pending = s.pending[:0]
	}
	s.mu.Unlock()
}

// Flushed is called by c's goroutine right after it handed its replies to
// its connection: the frames that waited follow them, and c is idle.
func (t *Table) Flushed(c *client.Client) error {
	s := t.sub(c.ID)
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = false
	if len(s.pending) == 0 {
		return nil
	}
	_, err := c.Conn.Write(s.pending)
	s.pending = s.pending[:0]
	if cap(s.pending) > 64<<10 {
		s.pending = nil
	}
	return err
}

// queuer is a connection that reports the bytes it has not written yet.
type queuer interface{ Queued() int }

// deliver adds frame to s's client (from is the publisher).
func (t *Table) deliver(from *client.Client, s *Sub, frame []byte) {
	if s.c == from {
		// The publisher's own goroutine: the frame precedes its reply.
		from.Out.Raw(frame)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone || s.c.Killed() || s.c.Conn == nil {
		return
	}
	if s.busy {
		s.pending = append(s.pending, frame...)
	} else {
		s.c.Conn.Write(frame)
	}
	t.checkLimitsLocked(s)
}

// checkLimitsLocked disconnects s's client when the bytes waiting for it
// pass the hard limit, or the soft limit for too long (Redis's
// checkClientOutputBufferLimits for the pubsub class).
func (t *Table) checkLimitsLocked(s *Sub) {
	l := t.limits.Load()
	if l.Hard == 0 && l.Soft == 0 {
		return
	}
	size := int64(len(s.pending))
	if q, ok := s.c.Conn.(queuer); ok {
		size += int64(q.Queued())
	}
	over := l.Hard > 0 && size >= l.Hard
	if !over && l.Soft > 0 && size >= l.Soft {
		now := t.now()
		if s.softSince.IsZero() {
			s.softSince = now
		} else if now.Sub(s.softSince) > time.Duration(l.SoftSeconds)*time.Second {
			over = true
		}
	} else if !over {
		s.softSince = time.Time{}
	}
	if over {
		s.pending = nil
		s.gone = true
		s.c.Kill()
	}
}

// target is one delivery of a publication.
type target struct {
	s   *Sub
	pat string // the matching pattern, for pmessage
}

// Publish sends message to the subscribers of channel (and, for k
// Channel, to those of the patterns that match it) and returns how many
// deliveries were made, as PUBLISH and SPUBLISH reply. from is the
// publishing client (nil for none).
func (t *Table) Publish(from *client.Client, k Kind, channel, message []byte) int {
	if !Active() {
		return 0
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	var f frames
	n := 0
	for _, s := range t.chans[k][string(channel)] {
		t.deliver(from, s, f.get(s.c.Proto(), k, "", channel, message))
		n++
	}
	if k != Channel {
		return n
	}
	for _, p := range t.pats {
		if !glob.Match([]byte(p), channel) {
			continue
		}
		var pf frames
		for _, s := range t.chans[Pattern][p] {
			t.deliver(from, s, pf.get(s.c.Proto(), Pattern, p, channel, message))
			n++
		}
	}
	return n
}

// frames builds a publication's frame once per protocol.
type frames struct{ resp2, resp3 []byte }

func (f *frames) get(proto int, k Kind, pat string, channel, message []byte) []byte {
	if proto >= 3 {
		if f.resp3 == nil {
			f.resp3 = AppendFrame(nil, 3, k, pat, channel, message)
		}
		return f.resp3
	}
	if f.resp2 == nil {
		f.resp2 = AppendFrame(nil, 2, k, pat, channel, message)
	}
	return f.resp2
}

// AppendFrame appends a message frame: message (Channel), pmessage
// (Pattern, with pat) or smessage (Shard), as an array in RESP2 and a
// push in RESP3.
func AppendFrame(b []byte, proto int, k Kind, pat string, channel, message []byte) []byte {
	head := byte('*')
	if proto >= 3 {
		head = '>'
	}
	switch k {
	case Pattern:
		b = append(b, head, '4', '\r', '\n')
		b = appendBulk(b, "pmessage")
		b = appendBulk(b, pat)
	case Shard:
		b = append(b, head, '3', '\r', '\n')
		b = appendBulk(b, "smessage")
	default:
		b = append(b, head, '3', '\r', '\n')
		b = appendBulk(b, "message")
	}
	b = appendBulk(b, channel)
	return appendBulk(b, message)
}

func appendBulk[T ~string | ~[]byte](b []byte, s T) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, '\r', '\n')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

// invalidateHead starts a tracking invalidation as a RESP2 message.
const invalidateHead = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"

// SendInvalidation delivers a tracking invalidation push (">2 invalidate
// keys-or-null") to c, a RESP2 client that invalidations are redirected
// to, as a message on __redis__:invalidate: as Redis 7.0, only when c
// has a subscription (to any channel), else it is dropped.
func (t *Table) SendInvalidation(c *client.Client, push []byte) {
	const pushHead = ">2\r\n$10\r\ninvalidate\r\n"
	if !c.PubSub() || len(push) < len(pushHead) {
		return
	}
	payload := push[len(pushHead):]
	if string(payload) == "_\r\n" {
		payload = []byte("$-1\r\n")
	}
	frame := make([]byte, 0, len(invalidateHead)+len(payload))
	frame = append(append(frame, invalidateHead...), payload...)
	t.mu.RLock()
	defer t.mu.RUnlock()
	if s := t.subs[c.ID]; s != nil {
		t.deliver(nil, s, frame)
	}
}
