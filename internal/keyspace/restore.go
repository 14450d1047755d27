package keyspace

// SetAccessStats gives e what RESTORE's IDLETIME or FREQ say (-1 when not
// given), as Redis's objectSetLRUOrLFU: the LFU counter under an LFU
// policy, else the idle time (ms) of the LRU clock.
func (db DB) SetAccessStats(e *Entry, idleMs int64, freq int) {
	if db.ks.LFU() {
		if freq >= 0 {
			e.freq = uint8(freq)
			e.freqMin = lfuMinutes(db.Now)
		}
		return
	}
	if idleMs >= 0 {
		e.Access = lruClock(max(db.Now-idleMs, 0))
	}
}
