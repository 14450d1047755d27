//go:build race

package server

// raceEnabled: under the race detector sync.Pool drops a share of what is
// put into it on purpose, so a recycled object is sometimes allocated anew.
const raceEnabled = true
