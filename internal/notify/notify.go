// Package notify implements keyspace notifications (notify-keyspace-events):
// after a command changes a key, handlers call Notifier.Key with the
// event's class and name, and the notifier publishes
// __keyspace@<db>__:<key> (message: the event) and
// __keyevent@<db>__:<event> (message: the key) to pub/sub subscribers, as
// far as the configured classes ask for them.
package notify

import (
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/ember-kv/ember/internal/client"
)

// Class is a set of notification classes, one bit per flag letter of
// notify-keyspace-events.
type Class uint32

// The classes, with their flag letters.
const (
	Keyspace Class = 1 << iota // K: __keyspace@<db>__ channels
	Keyevent                   // E: __keyevent@<db>__ channels
	Generic                    // g: DEL, EXPIRE, RENAME, ...
	String                     // $
	List                       // l
	Set                        // s
	Hash                       // h
	ZSet                       // z
	Expired                    // x: a key expired
	Evicted                    // e: a key was evicted for maxmemory
	Stream                     // t
	KeyMiss                    // m: a read found no key
	Loaded                     // (module key loaded; never set by a letter)
	Module                     // d
	NewKey                     // n: a key was created

	// All is the letter A: every class but K, E, m and n.
	All = Generic | String | List | Set | Hash | ZSet | Expired | Evicted | Stream | Module
)

// Parse reads notify-keyspace-events flag letters; ok is false on a
// character that is not one.
func Parse(classes string) (c Class, ok bool) {
	for i := 0; i < len(classes); i++ {
		switch classes[i] {
		case 'A':
			c |= All
		case 'g':
			c |= Generic
		case '$':
			c |= String
		case 'l':
			c |= List
		case 's':
			c |= Set
		case 'h':
			c |= Hash
		case 'z':
			c |= ZSet
		case 'x':
			c |= Expired
		case 'e':
			c |= Evicted
		case 'K':
			c |= Keyspace
		case 'E':
			c |= Keyevent
		case 't':
			c |= Stream
		case 'm':
			c |= KeyMiss
		case 'd':
			c |= Module
		case 'n':
			c |= NewKey
		default:
			return 0, false
		}
	}
	return c, true
}

// String writes the classes back as CONFIG GET shows them: A (or the
// class letters), then K, E and m.
func (c Class) String() string {
	var b strings.Builder
	if c&All == All {
		b.WriteByte('A')
	} else {
		for _, f := range []struct {
			bit    Class
			letter byte
		}{{Generic, 'g'}, {String, '$'}, {List, 'l'}, {Set, 's'}, {Hash, 'h'}, {ZSet, 'z'},
			{Expired, 'x'}, {Evicted, 'e'}, {Stream, 't'}, {Module, 'd'}, {NewKey, 'n'}} {
			if c&f.bit != 0 {
				b.WriteByte(f.letter)
			}
		}
	}
	if c&Keyspace != 0 {
		b.WriteByte('K')
	}
	if c&Keyevent != 0 {
		b.WriteByte('E')
	}
	if c&KeyMiss != 0 {
		b.WriteByte('m')
	}
	return b.String()
}

// Publisher delivers one pub/sub message on a channel; from is the
// client whose command caused it (nil for expiry and eviction), so that
// its own subscription sees the message before its reply.
type Publisher func(from *client.Client, channel, message []byte)

// Notifier publishes keyspace notifications of one server.
type Notifier struct {
	classes atomic.Uint32
	publish Publisher
}

// New returns a notifier publishing through p, with no class enabled.
func New(p Publisher) *Notifier { return &Notifier{publish: p} }

// SetClasses sets the enabled classes (CONFIG SET notify-keyspace-events).
func (n *Notifier) SetClasses(c Class) { n.classes.Store(uint32(c)) }

// Classes returns the enabled classes.
func (n *Notifier) Classes() Class { return Class(n.classes.Load()) }

// Enabled reports whether an event of class would be published at all;
// it costs one atomic load, so callers may skip building event data.
func (n *Notifier) Enabled(class Class) bool {
	if n == nil {
		return false
	}
	c := Class(n.classes.Load())
	return c&class != 0 && c&(Keyspace|Keyevent) != 0
}

// Key publishes the event of class about key of database db, as Redis's
// notifyKeyspaceEvent: to __keyspace@db__:key when K is on, and to
// __keyevent@db__:event when E is on, provided class is enabled.
func (n *Notifier) Key(from *client.Client, class Class, event string, key []byte, db int) {
	if !n.Enabled(class) {
		return
	}
	c := n.Classes()
	var buf [64]byte
	if c&Keyspace != 0 {
		ch := append(buf[:0], "__keyspace@"...)
		ch = strconv.AppendInt(ch, int64(db), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, key...)
		n.publish(from, ch, []byte(event))
	}
	if c&Keyevent != 0 {
		ch := append(buf[:0], "__keyevent@"...)
		ch = strconv.AppendInt(ch, int64(db), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, event...)
		n.publish(from, ch, key)
	}
}
