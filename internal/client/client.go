// Package client holds the state of one client connection and the registry
// of connected clients that CLIENT LIST, CLIENT KILL and INFO read.
package client

import (
	"cmp"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ember-kv/ember/internal/keyspace"

	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/resp"
)

// ReplyMode is CLIENT REPLY's setting.
type ReplyMode uint8

// Reply modes.
const (
	ReplyOn ReplyMode = iota
	ReplyOff
	ReplySkip // skip the reply of the next command only
	// ReplySkipThis marks the command being run as the one whose reply is
	// skipped: the dispatcher sets it in place of ReplySkip and drops the
	// reply if the mode is still ReplySkipThis afterwards, so that CLIENT
	// REPLY ON (which sets ReplyOn) gets its +OK through, as in Redis.
	ReplySkipThis
)

// Client is one connection's state. Fields documented as "owner only" are
// read and written only by the connection's own goroutine; the atomic ones
// may be read by any goroutine (CLIENT LIST, INFO).
type Client struct {
	ID      int64
	Conn    net.Conn
	Addr    string // remote address, "ip:port"
	LAddr   string // local address
	FD      int    // the socket's file descriptor, -1 when unknown
	Created time.Time

	// Owner only.
	Reader        *resp.Reader
	Out           *resp.Writer
	Authenticated bool
	User          string
	ReplyMode     ReplyMode
	// CloseAfterReply ends the connection once pending replies are written (QUIT).
	CloseAfterReply bool
	// KeyBuf and ShardBuf are scratch space for the dispatcher.
	KeyBuf []int
	// Warm is the dispatcher's scratch space for warming a pipeline's keys.
	Warm WarmBuf
	// LastName and LastSpec are the name the connection last sent and its
	// command (nil: unknown): a pipeline of one command looks it up once.
	LastName []byte
	LastSpec *command.Spec
	// Tick is when the previous command ended; the next command of the
	// same read starts then, which saves a clock read per pipelined
	// command. TickStale is set whenever the connection waits for input.
	Tick      time.Time
	TickStale bool
	ShardBuf  []int
	// CtxBuf is the dispatcher's handler context (a *handler.Ctx), reused
	// by every command of the connection.
	CtxBuf any
	// Transaction state (MULTI): the queued commands, copied out of the
	// read buffer; the union of their flags; and whether one was rejected
	// while queueing, which makes EXEC fail with EXECABORT.
	Queued     []Queued
	MultiFlags command.Flag
	MultiError bool

	// Readable by any goroutine.
	db       atomic.Int32
	proto    atomic.Int32
	name     atomic.Pointer[string]
	libName  atomic.Pointer[string]
	libVer   atomic.Pointer[string]
	lastCmd  atomic.Pointer[command.Spec]
	lastSeen atomic.Int64 // Unix ns of the last command
	noEvict  atomic.Bool
	noTouch  atomic.Bool
	killed   atomic.Bool
	flags    atomic.Uint32
	subs     atomic.Int64 // channels, patterns, shard channels: 21 bits each
	multi    atomic.Int32 // commands queued by MULTI, -1 outside MULTI
	unblock  atomic.Pointer[Unblocker]

	closeOnce sync.Once
}

// Flags are state bits that the subsystem owning the state sets and that
// CLIENT LIST shows.
type Flags uint32

// Client state flags.
const (
	FlagBlocked  Flags = 1 << iota // waiting in a blocking command ('b')
	FlagDirtyCAS                   // a WATCHed key changed ('d')
	FlagScript                     // the client scripts run their commands as (Redis's CLIENT_SCRIPT)
)

// Unblocker wakes a client blocked in a blocking command, for CLIENT
// UNBLOCK: with withError it makes the command fail with errs.Unblocked,
// otherwise it makes it time out. It reports whether it woke the client.
type Unblocker func(withError bool) bool

// New returns the state of a freshly accepted connection.
func New(id int64, conn net.Conn, now time.Time) *Client {
	c := &Client{ID: id, Conn: conn, FD: -1, Created: now, Out: resp.NewWriter(), User: "default"}
	if conn != nil {
		c.Addr = conn.RemoteAddr().String()
		c.LAddr = conn.LocalAddr().String()
		c.Reader = resp.NewReader(conn)
		if sc, ok := conn.(syscall.Conn); ok {
			if rc, err := sc.SyscallConn(); err == nil {
				rc.Control(func(fd uintptr) { c.FD = int(fd) })
			}
		}
	}
	c.proto.Store(2)
	c.multi.Store(-1)
	// Idle time is measured on the wall clock, as Seen records it.
	c.lastSeen.Store(time.Now().UnixNano())
	return c
}

// DB returns the selected database.
func (c *Client) DB() int { return int(c.db.Load()) }

// SetDB selects a database.
func (c *Client) SetDB(db int) { c.db.Store(int32(db)) }

// Proto returns the negotiated protocol, 2 or 3.
func (c *Client) Proto() int { return int(c.proto.Load()) }

// SetProto switches the protocol of replies.
func (c *Client) SetProto(p int) {
	c.proto.Store(int32(p))
	c.Out.Proto = p
}

func load(p *atomic.Pointer[string]) string {
	if s := p.Load(); s != nil {
		return *s
	}
	return ""
}

// Name returns the connection name set by CLIENT SETNAME or HELLO.
func (c *Client) Name() string { return load(&c.name) }

// SetName sets the connection name.
func (c *Client) SetName(n string) { c.name.Store(&n) }

// LibName returns CLIENT SETINFO's lib-name.
func (c *Client) LibName() string { return load(&c.libName) }

// SetLibName sets lib-name.
func (c *Client) SetLibName(n string) { c.libName.Store(&n) }

// LibVer returns CLIENT SETINFO's lib-ver.
func (c *Client) LibVer() string { return load(&c.libVer) }

// SetLibVer sets lib-ver.
func (c *Client) SetLibVer(v string) { c.libVer.Store(&v) }

// LastCmd returns the last command run, or nil.
func (c *Client) LastCmd() *command.Spec { return c.lastCmd.Load() }

// Seen records that the client ran spec at time now.
// A pipeline repeats a command within a millisecond, and the stores are
// skipped then: the readers (CLIENT LIST, idle timeouts) count seconds.
func (c *Client) Seen(spec *command.Spec, now time.Time) {
	if c.lastCmd.Load() != spec {
		c.lastCmd.Store(spec)
	}
	if ns := now.UnixNano(); ns-c.lastSeen.Load() >= int64(time.Millisecond) || ns < c.lastSeen.Load() {
		c.lastSeen.Store(ns)
	}
}

// LastSeen is the time of the last command.
func (c *Client) LastSeen() time.Time { return time.Unix(0, c.lastSeen.Load()) }

// NoEvict reports CLIENT NO-EVICT.
func (c *Client) NoEvict() bool { return c.noEvict.Load() }

// SetNoEvict sets CLIENT NO-EVICT.
func (c *Client) SetNoEvict(v bool) { c.noEvict.Store(v) }

// NoTouch reports CLIENT NO-TOUCH.
func (c *Client) NoTouch() bool { return c.noTouch.Load() }

// SetNoTouch sets CLIENT NO-TOUCH.
func (c *Client) SetNoTouch(v bool) { c.noTouch.Store(v) }

// SetFlag sets or clears state flags.
func (c *Client) SetFlag(f Flags, on bool) {
	for {
		old := c.flags.Load()
		v := old &^ uint32(f)
		if on {
			v = old | uint32(f)
		}
		if c.flags.CompareAndSwap(old, v) {
			return
		}
	}
}

// Flags returns the state flags.
func (c *Client) Flags() Flags { return Flags(c.flags.Load()) }

const subBits = 21

// SetSubscriptions records how many channels, patterns and shard channels
// the client is subscribed to (the pub/sub subsystem keeps it current).
func (c *Client) SetSubscriptions(channels, patterns, shard int) {
	const mask = 1<<subBits - 1
	c.subs.Store(int64(channels&mask) | int64(patterns&mask)<<subBits | int64(shard&mask)<<(2*subBits))
}

// Subscriptions returns the counts SetSubscriptions recorded.
func (c *Client) Subscriptions() (channels, patterns, shard int) {
	const mask = 1<<subBits - 1
	v := c.subs.Load()
	return int(v & mask), int(v >> subBits & mask), int(v >> (2 * subBits) & mask)
}

// PubSub reports whether the client has any subscription: Redis then
// counts it as a "pubsub" client (CLIENT LIST/KILL TYPE, flag 'P').
func (c *Client) PubSub() bool { return c.subs.Load() != 0 }

// SetMultiLen records the number of commands queued in MULTI; -1 means the
// client is not in MULTI.
func (c *Client) SetMultiLen(n int) { c.multi.Store(int32(n)) }

// MultiLen returns the number of queued commands, or -1 outside MULTI.
func (c *Client) MultiLen() int { return int(c.multi.Load()) }

// Queued is one command queued by MULTI.
type Queued struct {
	Spec *command.Spec
	Args [][]byte
}

// Queue appends a command to the transaction, copying its arguments (which
// alias the read buffer) into one allocation. As Redis, it queues nothing
// once the transaction is doomed (a rejected command, a touched WATCHed
// key), since EXEC will not run it.
func (c *Client) Queue(spec *command.Spec, args [][]byte) {
	if c.MultiError || c.Flags()&FlagDirtyCAS != 0 {
		return
	}
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	cp := make([][]byte, len(args))
	for i, a := range args {
		start := len(buf)
		buf = append(buf, a...)
		cp[i] = buf[start:len(buf):len(buf)]
	}
	c.Queued = append(c.Queued, Queued{Spec: spec, Args: cp})
	c.MultiFlags |= spec.Flags
	c.SetMultiLen(len(c.Queued))
}

// EndMulti leaves MULTI: the queue is dropped and the dirty flags cleared
// (the WATCHed keys are the watch table's, which the caller clears).
func (c *Client) EndMulti() {
	clear(c.Queued)
	c.Queued = c.Queued[:0]
	if cap(c.Queued) > 64 {
		c.Queued = nil
	}
	c.MultiFlags = 0
	c.MultiError = false
	c.SetMultiLen(-1)
	c.SetFlag(FlagDirtyCAS, false)
}

// SetUnblocker installs the function that CLIENT UNBLOCK calls while the
// client waits in a blocking command; nil removes it.
func (c *Client) SetUnblocker(fn Unblocker) {
	if fn == nil {
		c.unblock.Store(nil)
		return
	}
	c.unblock.Store(&fn)
}

// Unblock wakes the client if it is blocked (CLIENT UNBLOCK), reporting
// whether it was.
func (c *Client) Unblock(withError bool) bool {
	if fn := c.unblock.Load(); fn != nil {
		return (*fn)(withError)
	}
	return false
}

// Kill closes the connection from any goroutine (CLIENT KILL, SHUTDOWN).
func (c *Client) Kill() {
	c.killed.Store(true)
	c.closeOnce.Do(func() {
		if c.Conn != nil {
			c.Conn.Close()
		}
	})
}

// Killed reports whether Kill was called.
func (c *Client) Killed() bool { return c.killed.Load() }

// Registry is the set of connected clients.
type Registry struct {
	mu       sync.Mutex
	clients  map[int64]*Client
	nextID   atomic.Int64
	onRemove []func(*Client)
}

// OnRemove registers fn to run when a client is removed (it disconnected),
// after it left the registry: subsystems drop the client's state there
// (WATCHed keys, ...). Register before clients connect.
func (r *Registry) OnRemove(fn func(*Client)) { r.onRemove = append(r.onRemove, fn) }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{clients: make(map[int64]*Client)} }

// NextID allocates a client ID; IDs start at 1 and only grow, as Redis's.
func (r *Registry) NextID() int64 { return r.nextID.Add(1) }

// Add registers c.
func (r *Registry) Add(c *Client) {
	r.mu.Lock()
	r.clients[c.ID] = c
	r.mu.Unlock()
}

// Remove unregisters c.
func (r *Registry) Remove(c *Client) {
	r.mu.Lock()
	delete(r.clients, c.ID)
	r.mu.Unlock()
	for _, fn := range r.onRemove {
		fn(c)
	}
}

// Len is the number of connected clients.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.clients)
}

// Get returns the client with the given ID, or nil.
func (r *Registry) Get(id int64) *Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clients[id]
}

// List returns the connected clients ordered by ID.
func (r *Registry) List() []*Client {
	r.mu.Lock()
	out := make([]*Client, 0, len(r.clients))
	for _, c := range r.clients {
		out = append(out, c)
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b *Client) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// WarmBuf holds what the dispatcher warms before a pipeline runs: keys,
// and members grouped by the key they belong to. Its slices alias the
// read buffer while in use and are cleared after.
type WarmBuf struct {
	Keys    [][]byte
	Members [][]byte
	Groups  []keyspace.MemberGroup
	spans   []warmSpan
}

// warmSpan is Members[from:to], looked up in key.
type warmSpan struct {
	key      []byte
	from, to int
}

// Reset empties the buffer, dropping its references to input.
func (w *WarmBuf) Reset() {
	clear(w.Keys)
	clear(w.Members)
	clear(w.Groups)
	clear(w.spans)
	w.Keys, w.Members, w.Groups, w.spans = w.Keys[:0], w.Members[:0], w.Groups[:0], w.spans[:0]
}

// AddMembers records that the members (fields) appended to w.Members
// since it held from of them are looked up in key; consecutive commands
// on one key make one group.
func (w *WarmBuf) AddMembers(key []byte, from int) {
	to := len(w.Members)
	if to == from {
		return
	}
	if n := len(w.spans); n > 0 && w.spans[n-1].to == from && string(w.spans[n-1].key) == string(key) {
		w.spans[n-1].to = to
		return
	}
	w.spans = append(w.spans, warmSpan{key: key, from: from, to: to})
}

// MemberGroups returns the recorded groups.
func (w *WarmBuf) MemberGroups() []keyspace.MemberGroup {
	for _, sp := range w.spans {
		w.Groups = append(w.Groups, keyspace.MemberGroup{Key: sp.key, Members: w.Members[sp.from:sp.to]})
	}
	return w.Groups
}
