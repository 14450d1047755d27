// Package clustertest starts a real three-primary Redis Cluster for tests,
// from the redis-server binary on the PATH (Debian's redis-server package).
//
// Each node gets two free loopback ports (client and cluster bus, the latter
// set with cluster-port so it need not be port+10000), persistence off and its
// own directory. The slots are split into three ranges with CLUSTER
// ADDSLOTSRANGE, the nodes are introduced with CLUSTER MEET, and Start returns
// once every node reports cluster_state:ok and knows all three primaries.
package clustertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Nodes is the number of primaries Start creates.
const Nodes = 3

// readyLimit bounds every wait in Start.
const readyLimit = 20 * time.Second

// Cluster is a running three-primary cluster.
type Cluster struct {
	// Addrs are the primaries' client addresses, "127.0.0.1:port".
	Addrs []string

	busPorts []int
	procs    []node
	dir      string
}

// node is one redis-server process; exited is closed once it has exited.
type node struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// slotRanges are the primaries' slots: 16384 split into three.
var slotRanges = [Nodes][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}}

// Start starts the cluster and stops it when the test ends. It skips the
// test when redis-server is not installed and fails it when the cluster does
// not come up within a bounded time.
func Start(t testing.TB) *Cluster {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("clustertest: redis-server not installed (apt-get install -y redis-server); cluster tests skipped")
	}
	dir, err := os.MkdirTemp("", "ember-cluster")
	if err != nil {
		t.Fatalf("clustertest: %v", err)
	}
	c := &Cluster{dir: dir}
	t.Cleanup(c.stop)

	for i := range Nodes {
		addr, bus, err := c.startNode(bin, i)
		if err != nil {
			t.Fatalf("clustertest: node %d: %v", i, err)
		}
		c.Addrs = append(c.Addrs, addr)
		c.busPorts = append(c.busPorts, bus)
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyLimit)
	defer cancel()
	if err := c.form(ctx); err != nil {
		t.Fatalf("clustertest: %v (logs in %s)", err, dir)
	}
	return c
}

// Client returns a cluster client for the test, closed when it ends.
func (c *Cluster) Client(t testing.TB) *redis.ClusterClient {
	t.Helper()
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// startNode starts node i and waits until it answers PING. A port taken by
// someone else between choosing and binding makes the start fail; it is
// retried with new ports a bounded number of times.
func (c *Cluster) startNode(bin string, i int) (addr string, busPort int, err error) {
	var last error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return "", 0, err
		}
		bus, err := freePort()
		if err != nil {
			return "", 0, err
		}
		if bus == port {
			last = errors.New("same port chosen twice")
			continue
		}
		ndir := filepath.Join(c.dir, fmt.Sprintf("node%d-%d", i, attempt))
		if err := os.MkdirAll(ndir, 0o755); err != nil {
			return "", 0, err
		}
		cmd := exec.Command(bin,
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(bus),
			"--cluster-config-file", filepath.Join(ndir, "nodes.conf"),
			"--cluster-node-timeout", "5000",
			"--save", "", "--appendonly", "no", "--dir", ndir,
			"--logfile", filepath.Join(ndir, "redis.log"))
		if err := cmd.Start(); err != nil {
			return "", 0, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if err := waitPing(addr, exited); err == nil {
			c.procs = append(c.procs, node{cmd, exited})
			return addr, bus, nil
		} else {
			last = err
		}
		cmd.Process.Kill()
		<-exited
	}
	return "", 0, fmt.Errorf("did not start: %v", last)
}

// waitPing polls addr with PING until it answers, the process exits, or
// readyLimit passes.
func waitPing(addr string, exited <-chan struct{}) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, MaxRetries: -1})
	defer rdb.Close()
	return poll(context.Background(), exited, func(ctx context.Context) (bool, error) {
		return rdb.Ping(ctx).Err() == nil, nil
	})
}

// form assigns the slots, joins the nodes and waits for cluster_state:ok.
func (c *Cluster) form(ctx context.Context) error {
	clients := make([]*redis.Client, Nodes)
	for i, a := range c.Addrs {
		clients[i] = redis.NewClient(&redis.Options{Addr: a})
		defer clients[i].Close()
	}
	for i, r := range slotRanges {
		if err := clients[i].Do(ctx, "cluster", "addslotsrange", r[0], r[1]).Err(); err != nil {
			return fmt.Errorf("CLUSTER ADDSLOTSRANGE on %s: %w", c.Addrs[i], err)
		}
	}
	// The bus port is not port+10000, so MEET names it.
	for i, a := range c.Addrs[1:] {
		host, port, _ := net.SplitHostPort(a)
		if err := clients[0].Do(ctx, "cluster", "meet", host, port, c.busPorts[i+1]).Err(); err != nil {
			return fmt.Errorf("CLUSTER MEET %s: %w", a, err)
		}
	}
	var state string // the last node state seen, for the error
	err := poll(ctx, nil, func(ctx context.Context) (bool, error) {
		for i, cl := range clients {
			info, err := cl.ClusterInfo(ctx).Result()
			if err != nil {
				state = fmt.Sprintf("%s: CLUSTER INFO: %v", c.Addrs[i], err)
				return false, nil
			}
			if !strings.Contains(info, "cluster_state:ok") ||
				!strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(Nodes)+"\r") {
				state = fmt.Sprintf("%s: %q", c.Addrs[i], info)
				return false, nil
			}
			slots, err := cl.ClusterSlots(ctx).Result()
			if err != nil || len(slots) != Nodes {
				state = fmt.Sprintf("%s: CLUSTER SLOTS: %d ranges, %v", c.Addrs[i], len(slots), err)
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("cluster did not reach cluster_state:ok: %w; last seen %s", err, state)
	}
	return nil
}

// poll calls cond every 20ms until it returns true or an error, ctx ends,
// readyLimit passes, or exited is closed.
func poll(ctx context.Context, exited <-chan struct{}, cond func(context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, readyLimit)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond(ctx)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return errors.New("redis-server exited")
		case <-tick.C:
		}
	}
}

// stop kills every node and removes their files.
func (c *Cluster) stop() {
	for _, p := range c.procs {
		p.cmd.Process.Kill()
	}
	for _, p := range c.procs {
		<-p.exited
	}
	os.RemoveAll(c.dir)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
