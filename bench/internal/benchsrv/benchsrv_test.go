package benchsrv

import (
	"context"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCPUList(t *testing.T) {
	for in, want := range map[string][]int{"0": {0}, "0-3": {0, 1, 2, 3}, "0,2-3, 7": {0, 2, 3, 7}, "": nil} {
		got, err := ParseCPUList(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseCPUList(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"x", "3-1", "1-x"} {
		if _, err := ParseCPUList(bad); err == nil {
			t.Errorf("ParseCPUList(%q): no error", bad)
		}
	}
	if got := FormatCPUList([]int{0, 1, 2, 5, 7, 8}); got != "0-2,5,7-8" {
		t.Errorf("FormatCPUList = %q", got)
	}
}

const status = `Name:	redis-server
Umask:	0022
State:	S (sleeping)
VmPeak:	  123456 kB
VmHWM:	   20480 kB
VmRSS:	   12288 kB
RssAnon:	    8192 kB
Threads:	5
Cpus_allowed_list:	0-1
`

func TestStatusBytes(t *testing.T) {
	for name, want := range map[string]int64{"VmRSS": 12288 * 1024, "VmHWM": 20480 * 1024, "RssAnon": 8192 * 1024, "Threads": 5} {
		got, err := StatusBytes(status, name)
		if err != nil || got != want {
			t.Errorf("%s = %d, %v; want %d", name, got, err, want)
		}
	}
	for _, name := range []string{"VmSwap", "State", "Vm"} {
		if _, err := StatusBytes(status, name); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if v, ok := StatusField(status, "Cpus_allowed_list"); !ok || v != "0-1" {
		t.Errorf("Cpus_allowed_list = %q %v", v, ok)
	}
}

func memStatsText(numGC int, pauses map[int][2]uint64) string {
	ns, end := make([]string, 256), make([]string, 256)
	for i := range ns {
		ns[i], end[i] = "0", "0"
	}
	for gc, p := range pauses { // gc numbered from 1
		i := (gc + 255) % 256
		ns[i], end[i] = itoa(p[0]), itoa(p[1])
	}
	return "heap profile: 1: 2 [3: 4] @ heap/1048576\n# runtime.MemStats\n# Alloc = 100\n# Sys = 5000\n# HeapAlloc = 100\n# HeapSys = 4000\n" +
		"# HeapInuse = 300\n# Stack = 65536 / 65536\n# PauseNs = [" + strings.Join(ns, " ") + "]\n# PauseEnd = [" +
		strings.Join(end, " ") + "]\n# NumGC = " + itoa(uint64(numGC)) + "\n# GCCPUFraction = 0.0125\n# DebugGC = false\n"
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }

func TestParseGoMemStats(t *testing.T) {
	before, err := ParseGoMemStats(memStatsText(3, map[int][2]uint64{1: {10, 100}, 2: {20, 200}, 3: {30, 300}}))
	if err != nil {
		t.Fatal(err)
	}
	if before.HeapInuse != 300 || before.StackInuse != 65536 || before.Sys != 5000 || before.NumGC != 3 ||
		before.GCCPUFraction != 0.0125 || before.PauseNs[2] != 30 || before.PauseEnd[0] != 100 {
		t.Fatalf("parsed %+v", before)
	}
	after, err := ParseGoMemStats(memStatsText(5, map[int][2]uint64{3: {30, 300}, 4: {40, 400}, 5: {50, 500}}))
	if err != nil {
		t.Fatal(err)
	}
	pauses, lost := after.PausesSince(before)
	if want := []GCPause{{400, 40}, {500, 50}}; lost != 0 || !reflect.DeepEqual(pauses, want) {
		t.Fatalf("PausesSince = %v, %d", pauses, lost)
	}
	// More than 256 collections in between: the oldest are lost.
	far := &GoMemStats{NumGC: 3 + 300}
	if pauses, lost := far.PausesSince(before); lost != 44 || len(pauses) != 256 {
		t.Fatalf("300 GCs later: %d pauses, %d lost", len(pauses), lost)
	}
	if _, err := ParseGoMemStats("heap profile: nothing"); err == nil {
		t.Fatal("no MemStats section: no error")
	}
}

// TestStartRedis starts a real redis-server with the shared settings.
func TestStartRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Start(ctx, "redis", bin, t.TempDir(), Options{Extra: []string{"--maxclients", "200"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if reply, err := s.Command("CONFIG", "GET", "maxclients"); err != nil || reply != "*2" {
		t.Fatalf("CONFIG GET: %q %v", reply, err)
	}
	c, err := Dial(s.Addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	info, err := c.DoBulk(5*time.Second, "INFO", "server")
	if err != nil || !strings.Contains(info, "redis_version:") {
		t.Fatalf("INFO: %v %q", err, info)
	}
	if rss, err := RSS(s.PID()); err != nil || rss <= 0 {
		t.Fatalf("RSS = %d, %v", rss, err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if s.Alive() {
		t.Fatal("alive after Stop")
	}
}
