package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"
)

// appendKey appends "key:<i>".
func appendKey(b []byte, i int) []byte {
	b = append(b, "key:"...)
	return strconv.AppendInt(b, int64(i), 10)
}

// appendCmd appends a RESP command of two or three arguments, the key
// being key:<i>.
func appendCmd(b []byte, name string, i int, value []byte) []byte {
	var num [24]byte
	key := appendKey(num[:0], i)
	if value == nil {
		b = append(b, "*2\r\n$"...)
	} else {
		b = append(b, "*3\r\n$"...)
	}
	b = strconv.AppendInt(b, int64(len(name)), 10)
	b = append(b, "\r\n"...)
	b = append(b, name...)
	b = append(b, "\r\n$"...)
	b = strconv.AppendInt(b, int64(len(key)), 10)
	b = append(b, "\r\n"...)
	b = append(b, key...)
	b = append(b, "\r\n"...)
	if value != nil {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(value)), 10)
		b = append(b, "\r\n"...)
		b = append(b, value...)
		b = append(b, "\r\n"...)
	}
	return b
}

// readReply reads one reply to GET or SET (+OK, $n payload, $-1, -ERR)
// and reports whether it was an error.
func readReply(r *bufio.Reader) (isErr bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return false, err
	}
	if len(line) < 3 {
		return false, fmt.Errorf("short reply %q", line)
	}
	switch line[0] {
	case '+', ':':
		return false, nil
	case '-':
		return true, nil
	case '$':
		n, err := strconv.Atoi(string(line[1 : len(line)-2]))
		if err != nil {
			return false, fmt.Errorf("bad bulk length %q", line)
		}
		if n >= 0 {
			if _, err := r.Discard(n + 2); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("unexpected reply %q", line)
}

// load stores keys key:0 .. key:<keys-1> with value, over conns
// connections, each sending batches of batch SETs and reading their
// replies before the next batch (so at most conns*batch are in flight).
func load(ctx context.Context, addr string, keys, conns, batch int, value []byte) error {
	conns = max(1, min(conns, keys))
	var wg sync.WaitGroup
	errc := make(chan error, conns)
	per := (keys + conns - 1) / conns
	for w := 0; w < conns; w++ {
		lo, hi := w*per, min((w+1)*per, keys)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- loadRange(ctx, addr, lo, hi, batch, value)
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return err
		}
	}
	return nil
}

func loadRange(ctx context.Context, addr string, lo, hi, batch int, value []byte) error {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	var buf []byte
	for i := lo; i < hi; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(batch, hi-i)
		buf = buf[:0]
		for k := i; k < i+n; k++ {
			buf = appendCmd(buf, "SET", k, value)
		}
		_ = c.SetDeadline(time.Now().Add(60 * time.Second))
		if _, err := c.Write(buf); err != nil {
			return err
		}
		for k := 0; k < n; k++ {
			isErr, err := readReply(r)
			if err != nil {
				return fmt.Errorf("loading: %v", err)
			}
			if isErr {
				return errors.New("loading: SET answered an error")
			}
		}
		i += n
	}
	return nil
}

// openLoop is one run of the open-loop load.
type openLoop struct {
	addr      string
	sched     schedule
	keys      int
	setRatio  float64
	value     []byte
	warmup    time.Duration // due requests before this offset are not recorded
	duration  time.Duration // measured part, after warmup
	stall     time.Duration
	seed      uint64
	drainWait time.Duration // how long to wait for replies after the last send
}

// connStats is what one connection measured.
type connStats struct {
	lat, lag   histogram
	sent, done uint64 // recorded requests: sent, answered
	errors     uint64
	slow       uint64 // answered after more than stall
	// stallWin marks the stall-sized windows of the measured part (by due
	// time) in which some request took more than stall.
	stallWin []bool
}

// loopResult is the merged measurement of all connections.
type loopResult struct {
	lat, lag     histogram
	sent, done   uint64
	errors       uint64
	slow         uint64
	stallWin     []bool
	start        time.Time // wall clock at offset 0
	measureStart time.Time // wall clock at offset warmup
	elapsed      time.Duration
}

// run connects, runs the schedule and merges what the connections saw.
func (o *openLoop) run(ctx context.Context) (*loopResult, error) {
	n := o.sched.conns
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.DialTimeout("tcp", o.addr, 10*time.Second)
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			return nil, err
		}
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
		}
		conns[i] = c
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	windows := int(o.duration/o.stall) + 1
	stats := make([]*connStats, n)
	for i := range stats {
		stats[i] = &connStats{stallWin: make([]bool, windows)}
	}
	start := time.Now().Add(50 * time.Millisecond) // every goroutine ready before the first due time
	end := o.warmup + o.duration
	var wg sync.WaitGroup
	errc := make(chan error, 2*n)
	for i := 0; i < n; i++ {
		due := make(chan time.Duration, 1<<16)
		wg.Add(2)
		go func() {
			defer wg.Done()
			errc <- o.send(ctx, conns[i], i, start, end, due, stats[i])
		}()
		go func() {
			defer wg.Done()
			errc <- o.receive(conns[i], start, end, due, stats[i])
		}()
	}
	wg.Wait()
	close(errc)
	var firstErr error
	for err := range errc {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	res := &loopResult{stallWin: make([]bool, windows), start: start, measureStart: start.Add(o.warmup),
		elapsed: time.Since(start)}
	for _, s := range stats {
		res.lat.merge(&s.lat)
		res.lag.merge(&s.lag)
		res.sent += s.sent
		res.done += s.done
		res.errors += s.errors
		res.slow += s.slow
		for w, slow := range s.stallWin {
			res.stallWin[w] = res.stallWin[w] || slow
		}
	}
	return res, firstErr
}

// send follows connection i's timetable: it sleeps until the next request
// is due, then writes every request due by now in one write, telling the
// receiver each one's due time first.
func (o *openLoop) send(ctx context.Context, c net.Conn, i int, start time.Time, end time.Duration,
	due chan<- time.Duration, st *connStats) error {
	defer close(due)
	rng := rand.New(rand.NewPCG(o.seed, uint64(i)))
	var buf []byte
	j := 0
	for {
		next := o.sched.due(i, j)
		if next >= end {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		now := time.Since(start)
		if next > now {
			time.Sleep(next - now)
			now = time.Since(start)
		}
		buf = buf[:0]
		for ; ; j++ {
			d := o.sched.due(i, j)
			if d > now || d >= end {
				break
			}
			key := int(rng.Uint64N(uint64(o.keys)))
			if rng.Float64() < o.setRatio {
				buf = appendCmd(buf, "SET", key, o.value)
			} else {
				buf = appendCmd(buf, "GET", key, nil)
			}
			if d >= o.warmup {
				st.lag.record(int64(now - d))
				st.sent++
			}
			due <- d
		}
		if _, err := c.Write(buf); err != nil {
			return fmt.Errorf("send: %v", err)
		}
	}
}

// receive reads the replies in order and records each one's latency from
// its due time.
func (o *openLoop) receive(c net.Conn, start time.Time, end time.Duration, due <-chan time.Duration, st *connStats) error {
	r := bufio.NewReaderSize(c, 64<<10)
	// Bounded: every reply must be in within drainWait of the last due time.
	_ = c.SetReadDeadline(start.Add(end + o.drainWait))
	for d := range due {
		isErr, err := readReply(r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("server closed the connection")
			}
			return fmt.Errorf("receive: %v", err)
		}
		if d < o.warmup {
			continue
		}
		lat := time.Since(start) - d
		st.done++
		if isErr {
			st.errors++
		}
		st.lat.record(int64(lat))
		if lat > o.stall {
			st.slow++
			if w := int((d - o.warmup) / o.stall); w < len(st.stallWin) {
				st.stallWin[w] = true
			}
		}
	}
	return nil
}

// stallEpisodes counts runs of consecutive marked windows, and returns
// the offset (from the measured start) of each run's first window.
func stallEpisodes(win []bool, width time.Duration) []time.Duration {
	var eps []time.Duration
	for w := 0; w < len(win); w++ {
		if win[w] && (w == 0 || !win[w-1]) {
			eps = append(eps, time.Duration(w)*width)
		}
	}
	return eps
}
