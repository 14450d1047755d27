// Command conns measures what an idle client connection costs each server:
// it opens -conns connections (each sends one PING, reads +PONG and then
// stays idle) to redis-server and to ember-server in turn, and reports the
// growth of the server's resident memory (VmRSS) per connection.
//
//	go run ./bench/cmd/conns                 # 10,000 connections (about a minute)
//	go run ./bench/cmd/conns -conns 200      # a quick look
//
// See docs/performance.md, "Memory per idle connection".
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
)

func main() { benchsrv.Main(run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return benchsrv.Run(ctx, "conns", args, stdout, stderr, parseFlags, measure)
}

type options struct {
	benchsrv.Flags
	conns    int
	settle   time.Duration
	parallel int
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := o.FlagSet("conns", stderr, "pin both servers to one CPU with taskset",
		"bench/out/conns.json", "write results as JSON here (relative to the module root; empty: none)")
	fs.IntVar(&o.conns, "conns", 10000, "idle connections to open to each server")
	fs.DurationVar(&o.settle, "settle", 5*time.Second, "idle time before the second reading (Redis trims idle clients' buffers after 2 s)")
	fs.IntVar(&o.parallel, "parallel", 64, "connections being opened at once")
	if err := benchsrv.Parse(fs, args); err != nil {
		return nil, err
	}
	if o.conns < 1 || o.parallel < 1 || o.settle < 0 {
		return nil, errors.New("-conns and -parallel must be positive, -settle not negative")
	}
	return o, nil
}

// sideResult is one server's measurement.
type sideResult struct {
	Conns          int     `json:"conns"`
	RSSBefore      int64   `json:"rss_before"`       // bytes, one connection open
	RSSOpen        int64   `json:"rss_open"`         // right after the last PONG
	RSSSettled     int64   `json:"rss_settled"`      // after -settle of idleness
	PerConnOpen    float64 `json:"per_conn_open"`    // (RSSOpen-RSSBefore)/Conns
	PerConnSettled float64 `json:"per_conn_settled"` // (RSSSettled-RSSBefore)/Conns
	OpenSeconds    float64 `json:"open_seconds"`
	// Go runtime figures of ember-server (from its profiling endpoint),
	// per connection, after settling: heap in use and goroutine stacks.
	GoHeapPerConn  float64 `json:"go_heap_per_conn,omitempty"`
	GoStackPerConn float64 `json:"go_stack_per_conn,omitempty"`
}

type report struct {
	benchsrv.Header
	benchsrv.Host
	LoadAvg    string     `json:"load_avg"`
	ServerCPUs string     `json:"server_cpus,omitempty"`
	EmberProcs int        `json:"ember_gomaxprocs"`
	Settle     string     `json:"settle"`
	Redis      sideResult `json:"redis"`
	Ember      sideResult `json:"ember"`
	// RatioSettled is ember / redis bytes per idle connection after
	// settling (below 1: ember needs less).
	RatioSettled float64 `json:"ratio_settled"`
	RatioOpen    float64 `json:"ratio_open"`
}

func measure(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	e, err := benchsrv.Setup{Prefix: "ember-conns-", Root: o.Root, EmberBin: o.EmberBin, Pin: o.Pin,
		// Each connection is one descriptor here and one in the server.
		FileLimit: func(limit uint64) error {
			if limit != 0 && limit < uint64(o.conns+64) {
				return fmt.Errorf("open-files limit %d is too low for %d connections (ulimit -n)", limit, o.conns)
			}
			return nil
		},
	}.Prepare(ctx, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	rep := &report{Header: e.Header(), Host: benchsrv.ThisHost(), LoadAvg: benchsrv.LoadAvg(),
		ServerCPUs: e.ServerCPUList(), EmberProcs: o.EmberProcs, Settle: o.settle.String()}
	redis, ember, err := benchsrv.OneAtATime(ctx, e, o.EmberProcs,
		benchsrv.Options{PinCPUs: rep.ServerCPUs, Extra: []string{"--maxclients", strconv.Itoa(o.conns + 1000)}},
		func(s *benchsrv.Server, pprofAddr string) (*sideResult, error) {
			return measureOne(ctx, o, s, pprofAddr, stderr)
		})
	if err != nil {
		return err
	}
	rep.Redis, rep.Ember = *redis, *ember
	rep.RatioOpen = benchsrv.Ratio(rep.Ember.PerConnOpen, rep.Redis.PerConnOpen)
	rep.RatioSettled = benchsrv.Ratio(rep.Ember.PerConnSettled, rep.Redis.PerConnSettled)
	fmt.Fprint(stdout, rep.table())
	return benchsrv.Output(e.Root, o.JSONPath, benchsrv.JSON(rep), stderr)
}

// measureOne opens the connections to s and reads its RSS around them.
func measureOne(ctx context.Context, o *options, s *benchsrv.Server, pprofAddr string, stderr io.Writer) (*sideResult, error) {
	// One connection stays open through the reading of "before", so that
	// what a server sets up for its first client is not counted.
	first, err := pingConn(s.Addr)
	if err != nil {
		return nil, err
	}
	defer first.Close()
	settleBefore := min(o.settle, 2*time.Second)
	if err := benchsrv.Sleep(ctx, settleBefore); err != nil {
		return nil, err
	}
	res := &sideResult{Conns: o.conns}
	if res.RSSBefore, err = benchsrv.RSS(s.PID()); err != nil {
		return nil, err
	}
	var ms0 *benchsrv.GoMemStats
	if pprofAddr != "" {
		if ms0, err = benchsrv.FetchGoMemStats(ctx, pprofAddr); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	conns, err := openConns(ctx, s.Addr, o.conns, o.parallel)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	if err != nil {
		return nil, err
	}
	res.OpenSeconds = time.Since(start).Seconds()
	if res.RSSOpen, err = benchsrv.RSS(s.PID()); err != nil {
		return nil, err
	}
	if err := benchsrv.Sleep(ctx, o.settle); err != nil {
		return nil, err
	}
	if res.RSSSettled, err = benchsrv.RSS(s.PID()); err != nil {
		return nil, err
	}
	if pprofAddr != "" {
		ms1, err := benchsrv.FetchGoMemStats(ctx, pprofAddr)
		if err != nil {
			return nil, err
		}
		res.GoHeapPerConn = (float64(ms1.HeapInuse) - float64(ms0.HeapInuse)) / float64(o.conns)
		res.GoStackPerConn = (float64(ms1.StackInuse) - float64(ms0.StackInuse)) / float64(o.conns)
	}
	if !s.Alive() {
		return nil, fmt.Errorf("server died; its log:\n%s", s.LogTail())
	}
	n := float64(o.conns)
	res.PerConnOpen = float64(res.RSSOpen-res.RSSBefore) / n
	res.PerConnSettled = float64(res.RSSSettled-res.RSSBefore) / n
	fmt.Fprintf(stderr, "%s: %d connections in %.1fs; RSS %s -> %s (open) -> %s (after %v)\n", s.Name, o.conns,
		res.OpenSeconds, mib(res.RSSBefore), mib(res.RSSOpen), mib(res.RSSSettled), o.settle)
	return res, nil
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// pingConn connects, sends PING and reads +PONG.
func pingConn(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		c.Close()
		return nil, err
	}
	var buf [7]byte
	if _, err := io.ReadFull(c, buf[:]); err != nil {
		c.Close()
		return nil, err
	}
	if string(buf[:]) != "+PONG\r\n" {
		c.Close()
		return nil, fmt.Errorf("PING answered %q", buf[:])
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}

// openConns opens n PINGed connections, parallel at a time. On error it
// returns those opened so far with the first error.
func openConns(ctx context.Context, addr string, n, parallel int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	next := make(chan int)
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := pingConn(addr)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("connection %d: %v", i+1, err)
				}
				mu.Unlock()
				conns[i] = c
			}
		}()
	}
loop:
	for i := 0; i < n; i++ {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break loop
		}
	}
	close(next)
	wg.Wait()
	var opened []net.Conn
	for _, c := range conns {
		if c != nil {
			opened = append(opened, c)
		}
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return opened, firstErr
}

func (rep *report) table() string {
	b := &strings.Builder{}
	fmt.Fprintf(b, "idle connections: %d per server, RSS growth per connection (after %s idle; right after opening)\n", rep.Redis.Conns, rep.Settle)
	fmt.Fprintf(b, "%-7s %12s %12s %12s %14s %12s\n", "server", "RSS before", "RSS after", "bytes/conn", "bytes/conn(0s)", "open s")
	for _, x := range []struct {
		name string
		r    sideResult
	}{{"redis", rep.Redis}, {"ember", rep.Ember}} {
		fmt.Fprintf(b, "%-7s %12s %12s %12.0f %14.0f %12.1f\n", x.name, mib(x.r.RSSBefore), mib(x.r.RSSSettled),
			x.r.PerConnSettled, x.r.PerConnOpen, x.r.OpenSeconds)
	}
	fmt.Fprintf(b, "ember/redis: %.2f (after %s), %.2f (right after opening)\n", rep.RatioSettled, rep.Settle, rep.RatioOpen)
	if rep.Ember.GoHeapPerConn != 0 || rep.Ember.GoStackPerConn != 0 {
		fmt.Fprintf(b, "ember Go runtime per connection: heap in use %.0f B, goroutine stacks %.0f B\n",
			rep.Ember.GoHeapPerConn, rep.Ember.GoStackPerConn)
	}
	fmt.Fprintf(b, "load average at start: %s\n", rep.LoadAvg)
	return b.String()
}
