package keyspace

import (
	"math/rand/v2"
	"sync/atomic"
)

// LFU access tracking, as Redis keeps it for the allkeys-lfu and
// volatile-lfu eviction policies: every key carries an 8-bit counter that
// grows logarithmically with accesses and decays by one for every
// lfu-decay-time minutes without access. OBJECT FREQ reports it.
//
// Tracking is off until SetLFU(true): whoever applies the maxmemory-policy
// directive switches it. Keys keep their counters across switches, so, as
// in Redis, values take a while to become meaningful after a switch.

const (
	// lfuInitVal is the counter of a newly created key, so that new keys
	// are not evicted before they had a chance to be accessed.
	lfuInitVal = 5
	// Defaults of the lfu-log-factor and lfu-decay-time directives.
	defaultLFULogFactor = 10
	defaultLFUDecayTime = 1
)

type lfuState struct {
	on        atomic.Bool
	logFactor atomic.Int64
	decayTime atomic.Int64 // minutes
}

func (l *lfuState) init() {
	l.logFactor.Store(defaultLFULogFactor)
	l.decayTime.Store(defaultLFUDecayTime)
}

// SetLFU turns LFU access tracking on (an LFU maxmemory policy is
// selected) or off. OBJECT FREQ works only while it is on, and OBJECT
// IDLETIME only while it is off.
func (ks *Keyspace) SetLFU(on bool) { ks.lfu.on.Store(on) }

// LFU reports whether LFU access tracking is on.
func (ks *Keyspace) LFU() bool { return ks.lfu.on.Load() }

// SetLFUParams applies the lfu-log-factor and lfu-decay-time directives.
func (ks *Keyspace) SetLFUParams(logFactor, decayMinutes int64) {
	ks.lfu.logFactor.Store(logFactor)
	ks.lfu.decayTime.Store(decayMinutes)
}

// lfuMinutes is the 16-bit minute clock of Unix time now (ms).
func lfuMinutes(now int64) uint16 { return uint16(now / 60000) }

// lfuElapsed is the number of minutes since the minute clock read since,
// assuming the 16-bit clock wrapped at most once.
func lfuElapsed(now int64, since uint16) int64 {
	m := lfuMinutes(now)
	if m >= since {
		return int64(m - since)
	}
	return int64(65535 - since + m)
}

// decayed returns e's counter after the decay due at time now, without
// storing it.
func (ks *Keyspace) decayed(e *Entry, now int64) uint8 {
	counter := int64(e.freq)
	if dt := ks.lfu.decayTime.Load(); dt > 0 {
		if periods := lfuElapsed(now, e.freqMin) / dt; periods > 0 {
			counter = max(counter-periods, 0)
		}
	}
	return uint8(counter)
}

// Freq returns key's LFU counter as OBJECT FREQ reports it: decayed to
// time now, not updated.
func (ks *Keyspace) Freq(e *Entry, now int64) int { return int(ks.decayed(e, now)) }

// touchLFU records an access to e at time now: decay, then a logarithmic
// increment.
func (ks *Keyspace) touchLFU(e *Entry, now int64) {
	counter := ks.decayed(e, now)
	if counter < 255 {
		base := float64(counter) - lfuInitVal
		if base < 0 {
			base = 0
		}
		p := 1.0 / (base*float64(ks.lfu.logFactor.Load()) + 1)
		if rand.Float64() < p {
			counter++
		}
	}
	e.freq = counter
	e.freqMin = lfuMinutes(now)
}

// initLFU gives a new key its initial LFU state.
func initLFU(e *Entry, now int64) {
	e.freq = lfuInitVal
	e.freqMin = lfuMinutes(now)
}
