package keyspace

import "sync"

// activeExpireOff holds the keyspaces whose active expiry DEBUG
// SET-ACTIVE-EXPIRE 0 turned off (keys then expire only when looked up).
var activeExpireOff sync.Map // *Keyspace -> struct{}

// SetActiveExpire turns active expiry on or off (DEBUG SET-ACTIVE-EXPIRE).
func (ks *Keyspace) SetActiveExpire(on bool) {
	if on {
		activeExpireOff.Delete(ks)
	} else {
		activeExpireOff.Store(ks, struct{}{})
	}
}

// ActiveExpire reports whether active expiry is on.
func (ks *Keyspace) ActiveExpire() bool {
	_, off := activeExpireOff.Load(ks)
	return !off
}
