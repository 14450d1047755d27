package benchsrv

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GoMemStats is what ember-server's profiling endpoint (EMBER_PPROF)
// reports of runtime.MemStats at the end of /debug/pprof/heap?debug=1.
type GoMemStats struct {
	HeapAlloc, HeapInuse, HeapSys, StackInuse, Sys uint64
	NumGC                                          uint32
	PauseNs, PauseEnd                              [256]uint64
	GCCPUFraction                                  float64
}

// FetchGoMemStats reads the heap profile's MemStats from the profiling
// endpoint at addr (host:port).
func FetchGoMemStats(ctx context.Context, addr string) (*GoMemStats, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/debug/pprof/heap?debug=1", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", req.URL, resp.Status)
	}
	return ParseGoMemStats(string(b))
}

// ParseGoMemStats parses the "# runtime.MemStats" section of a heap
// profile in text form ("# Name = value" lines; PauseNs and PauseEnd are
// "[v v ...]" lists of 256, indexed by GC number mod 256).
func ParseGoMemStats(text string) (*GoMemStats, error) {
	i := strings.Index(text, "# runtime.MemStats")
	if i < 0 {
		return nil, fmt.Errorf("no runtime.MemStats section in the heap profile")
	}
	m := &GoMemStats{}
	seen := 0
	for _, line := range strings.Split(text[i:], "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "# "), " = ")
		if !ok {
			continue
		}
		var err error
		u := func(dst *uint64) { *dst, err = strconv.ParseUint(v, 10, 64); seen++ }
		list := func(dst *[256]uint64) {
			f := strings.Fields(strings.Trim(v, "[]"))
			if len(f) != len(dst) {
				err = fmt.Errorf("%s has %d values", k, len(f))
				return
			}
			for j, s := range f {
				if dst[j], err = strconv.ParseUint(s, 10, 64); err != nil {
					return
				}
			}
			seen++
		}
		switch k {
		case "HeapAlloc":
			u(&m.HeapAlloc)
		case "HeapInuse":
			u(&m.HeapInuse)
		case "HeapSys":
			u(&m.HeapSys)
		case "Stack":
			// "Stack = inuse / sys"
			in, _, _ := strings.Cut(v, " / ")
			m.StackInuse, err = strconv.ParseUint(strings.TrimSpace(in), 10, 64)
			seen++
		case "Sys":
			u(&m.Sys)
		case "NumGC":
			var n uint64
			u(&n)
			m.NumGC = uint32(n)
		case "PauseNs":
			list(&m.PauseNs)
		case "PauseEnd":
			list(&m.PauseEnd)
		case "GCCPUFraction":
			m.GCCPUFraction, err = strconv.ParseFloat(v, 64)
			seen++
		}
		if err != nil {
			return nil, fmt.Errorf("MemStats %s: %v", k, err)
		}
	}
	if seen < 8 {
		return nil, fmt.Errorf("MemStats section incomplete (%d fields)", seen)
	}
	return m, nil
}

// GCPause is one garbage collection's stop-the-world pause.
type GCPause struct {
	EndUnixNs uint64 `json:"end_unix_ns"`
	PauseNs   uint64 `json:"pause_ns"`
}

// PausesSince lists the pauses of the collections after the one numbered
// from.NumGC up to m's, oldest first (at most the 256 MemStats keeps),
// and how many older ones were lost.
func (m *GoMemStats) PausesSince(from *GoMemStats) (pauses []GCPause, lost int) {
	n := int(m.NumGC - from.NumGC)
	if n > 256 {
		lost = n - 256
		n = 256
	}
	for g := m.NumGC - uint32(n) + 1; n > 0 && g != m.NumGC+1; g++ {
		i := (g + 255) % 256
		pauses = append(pauses, GCPause{EndUnixNs: m.PauseEnd[i], PauseNs: m.PauseNs[i]})
	}
	return pauses, lost
}
