// Package client holds the state of one client connection and the registry
// of connected clients that CLIENT LIST, CLIENT KILL and INFO read.
package client

import (
	"cmp"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

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
)

// Client is one connection's state. Fields documented as "owner only" are
// read and written only by the connection's own goroutine; the atomic ones
// may be read by any goroutine (CLIENT LIST, INFO).
type Client struct {
	ID      int64
	Conn    net.Conn
	Addr    string // remote address, "ip:port"
	LAddr   string // local address
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
	KeyBuf   []int
	ShardBuf []int

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
	// Flags seen by CLIENT LIST, e.g. "N".
	closeOnce sync.Once
}

// New returns the state of a freshly accepted connection.
func New(id int64, conn net.Conn, now time.Time) *Client {
	c := &Client{ID: id, Conn: conn, Created: now, Out: resp.NewWriter()}
	if conn != nil {
		c.Addr = conn.RemoteAddr().String()
		c.LAddr = conn.LocalAddr().String()
		c.Reader = resp.NewReader(conn)
	}
	c.proto.Store(2)
	c.lastSeen.Store(now.UnixNano())
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
func (c *Client) Seen(spec *command.Spec, now time.Time) {
	c.lastCmd.Store(spec)
	c.lastSeen.Store(now.UnixNano())
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
	mu      sync.Mutex
	clients map[int64]*Client
	nextID  atomic.Int64
}

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
