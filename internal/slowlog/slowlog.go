// Package slowlog keeps the server's slow log: the commands whose
// execution took at least slowlog-log-slower-than microseconds, newest
// first, at most slowlog-max-len of them, as SLOWLOG GET shows them.
package slowlog

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// What an entry keeps of a command, as Redis bounds it: at most MaxArgs
// arguments (the last one then says how many more there were), each at
// most MaxArgLen bytes (followed by how many more there were).
const (
	MaxArgs   = 32
	MaxArgLen = 128
)

// Redacted replaces an argument that carries a password.
const Redacted = "(redacted)"

// Entry is one logged command.
type Entry struct {
	ID       int64
	Time     int64 // Unix seconds when it was logged
	Duration int64 // microseconds
	Args     [][]byte
	Peer     string // the client's address, ip:port
	Name     string // the client's name, or ""
}

// Log is a server's slow log. The zero value logs nothing until
// SetThreshold.
type Log struct {
	slower atomic.Int64 // slowlog-log-slower-than, µs; negative: off
	maxLen atomic.Int64 // slowlog-max-len

	mu      sync.Mutex
	entries []Entry // entries[first:] are the log, oldest first
	first   int
	nextID  int64
}

// New returns a log with Redis's defaults: commands of 10 ms or more, the
// last 128 of them.
func New() *Log {
	l := &Log{}
	l.slower.Store(10000)
	l.maxLen.Store(128)
	return l
}

// SetThreshold sets slowlog-log-slower-than: a negative value turns the
// log off, 0 logs every command.
func (l *Log) SetThreshold(us int64) { l.slower.Store(us) }

// SetMaxLen sets slowlog-max-len. The log is cut to it when the next
// entry comes, as in Redis.
func (l *Log) SetMaxLen(n int64) { l.maxLen.Store(n) }

// Slow reports whether a command that ran for us microseconds is logged.
func (l *Log) Slow(us int64) bool {
	t := l.slower.Load()
	return t >= 0 && us >= t
}

// Push logs a command that ran for us microseconds (the caller checked
// Slow). redacted, when not nil, marks the arguments to hide.
func (l *Log) Push(args [][]byte, redacted []bool, us int64, now time.Time, peer, name string) {
	n := min(len(args), MaxArgs)
	kept := make([][]byte, n)
	for i := range n {
		a := args[i]
		switch {
		case n < len(args) && i == n-1:
			a = []byte("... (" + strconv.Itoa(len(args)-n+1) + " more arguments)")
		case i < len(redacted) && redacted[i]:
			a = []byte(Redacted)
		case len(a) > MaxArgLen:
			a = append(a[:MaxArgLen:MaxArgLen], "... ("+strconv.Itoa(len(a)-MaxArgLen)+" more bytes)"...)
		default:
			a = append([]byte(nil), a...)
		}
		kept[i] = a
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, Entry{ID: l.nextID, Time: now.Unix(), Duration: us, Args: kept, Peer: peer, Name: name})
	l.nextID++
	if over := int64(len(l.entries)-l.first) - max(l.maxLen.Load(), 0); over > 0 {
		clear(l.entries[l.first : l.first+int(over)])
		l.first += int(over)
		if l.first > len(l.entries)/2 {
			// Move the log to the front once half the slice is dropped
			// entries: cutting the oldest stays O(1) amortised.
			n := copy(l.entries, l.entries[l.first:])
			clear(l.entries[n:])
			l.entries, l.first = l.entries[:n], 0
		}
	}
}

// Get returns up to count entries, newest first; a negative count returns
// them all.
func (l *Log) Get(count int64) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	live := l.entries[l.first:]
	n := int64(len(live))
	if count >= 0 && count < n {
		n = count
	}
	out := make([]Entry, n)
	for i := range out {
		out[i] = live[len(live)-1-i]
	}
	return out
}

// Len is the number of entries.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries) - l.first
}

// Reset empties the log; entry IDs go on from where they were.
func (l *Log) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries, l.first = nil, 0
}
