package handler

import (
	"fmt"
	"runtime"
	rtdebug "runtime/debug"
	"strings"

	"github.com/ember-kv/ember/internal/errs"
)

func init() {
	register(map[string]Func{
		"memory|help":         memoryHelpCmd,
		"memory|usage":        memoryUsageCmd,
		"memory|stats":        memoryStatsCmd,
		"memory|doctor":       memoryDoctorCmd,
		"memory|malloc-stats": memoryMallocStatsCmd,
		"memory|purge":        memoryPurgeCmd,
	})
}

// Memory accounting, server side. used_memory is what the server is
// accounted for: the heap in use at startup (capped, so that a server
// embedded in a large process does not start out "full"), the keyspace's
// entries (keyspace.Keyspace.Used: keys, values, table overhead, kept
// exact as keys change) and the clients' buffers (a fixed estimate per
// connection). maxmemory is compared with it.

const (
	// memoryStartupCap bounds the startup heap counted in used_memory.
	memoryStartupCap = 2 << 20
	// memoryPerClient is a connection's estimated memory: its read and
	// reply buffers, its state and its goroutine's stack.
	memoryPerClient = 24 << 10
)

// MemoryStartup is the startup share of used_memory.
func MemoryStartup(env *Env) int64 { return int64(min(env.StartupMemory, memoryStartupCap)) }

// MemoryClients is the clients' share of used_memory.
func MemoryClients(env *Env) int64 { return int64(env.Clients.Len()) * memoryPerClient }

// UsedMemory is used_memory: what maxmemory is compared with.
func UsedMemory(env *Env) int64 {
	return MemoryStartup(env) + env.Keyspace.Used() + MemoryClients(env)
}

// UsedMemoryApprox is UsedMemory from one atomic load of the keyspace's
// count, up to Keyspace.UsedSlack behind.
func UsedMemoryApprox(env *Env) int64 {
	return MemoryStartup(env) + env.Keyspace.UsedApprox() + MemoryClients(env)
}

// memoryReport is the breakdown INFO memory and MEMORY STATS share.
type memoryReport struct {
	used, peak, startup, clients     int64
	overhead, dataset                int64
	keys, vkeys                      int64
	mainOverhead, expiresOverhead    []int64 // by database, for MEMORY STATS
	rss, allocated, active, resident int64
	maxmemory                        int64
	policy                           string
}

// memoryMeasure fills a report. It needs every shard locked (INFO and
// MEMORY STATS are AllKeys commands).
func memoryMeasure(c *Ctx, perDB bool) memoryReport {
	env := c.Env
	ks := env.Keyspace
	r := memoryReport{startup: MemoryStartup(env), clients: MemoryClients(env)}
	r.used = r.startup + ks.Used() + r.clients
	r.peak = ks.NotePeak(r.used)
	var tables int64
	if perDB {
		r.mainOverhead = make([]int64, ks.NumDB())
		r.expiresOverhead = make([]int64, ks.NumDB())
	}
	for i := 0; i < ks.NumDB(); i++ {
		db := c.DB.WithIndex(i)
		k, v := int64(db.Len()), int64(db.VolatileLen())
		r.keys += k
		r.vkeys += v
		main, exp := db.TableOverhead()
		tables += main + exp
		if perDB {
			r.mainOverhead[i], r.expiresOverhead[i] = main, exp
		}
	}
	r.overhead = r.startup + r.clients + tables
	r.dataset = max(r.used-r.overhead, 0)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.rss = int64(processRSS())
	if r.rss == 0 {
		r.rss = int64(ms.Sys - ms.HeapReleased)
	}
	r.allocated = int64(ms.HeapAlloc)
	r.active = int64(ms.HeapInuse)
	r.resident = int64(ms.HeapSys - ms.HeapReleased)
	r.policy = "noeviction"
	if cfg := env.Config; cfg != nil {
		r.maxmemory = cfg.Int("maxmemory")
		r.policy = cfg.Get("maxmemory-policy")
	}
	return r
}

func memRatio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// memoryHelp is MEMORY HELP's reply, one status line each.
var memoryHelp = []string{
	"MEMORY <subcommand> [<arg> ...], where <subcommand> is one of:",
	"DOCTOR",
	"    Diagnose the server's memory use and suggest remedies.",
	"MALLOC-STATS",
	"    Show the Go runtime's heap statistics.",
	"PURGE",
	"    Return free heap memory to the operating system now.",
	"STATS",
	"    Break the server's memory use down by purpose.",
	"USAGE <key> [SAMPLES <count>]",
	"    Give the bytes <key> and its value are accounted for. Ember keeps",
	"    running sizes, so <count> (default 5, 0 for all) changes nothing.",
	"HELP",
	"    Show these lines.",
}

// MEMORY HELP
func memoryHelpCmd(c *Ctx) {
	c.Out.Array(len(memoryHelp))
	for _, l := range memoryHelp {
		c.Out.Simple(l)
	}
}

// MEMORY USAGE key [SAMPLES count]
//
// Options are parsed before the key is looked up, as in Redis; the key is
// found without expiring, touching or counting it.
func memoryUsageCmd(c *Ctx) {
	for j := 3; j < len(c.Args); j++ {
		if !strOptIs(c.Args[j], "SAMPLES") || j+1 >= len(c.Args) {
			c.Error(errs.Syntax)
			return
		}
		n, ok := c.Int(j + 1)
		if !ok {
			return
		}
		if n < 0 {
			c.Error(errs.Syntax)
			return
		}
		j++
	}
	size, ok := c.DB.Usage(c.Args[2])
	if !ok {
		c.Out.Null()
		return
	}
	c.Out.Int(size)
}

// MEMORY STATS
func memoryStatsCmd(c *Ctx) {
	r := memoryMeasure(c, true)
	out := c.Out
	dbs := 0
	for i := range r.mainOverhead {
		if r.mainOverhead[i] != 0 || r.expiresOverhead[i] != 0 {
			dbs++
		}
	}
	// Redis sends its ratios as C floats widened to double.
	f32 := func(v float64) float64 { return float64(float32(v)) }
	out.Map(27 + dbs)
	pair := func(name string, v int64) {
		out.BulkString(name)
		out.Int(v)
	}
	pair("peak.allocated", r.peak)
	pair("total.allocated", r.used)
	pair("startup.allocated", r.startup)
	pair("replication.backlog", 0)
	pair("clients.slaves", 0)
	pair("clients.normal", r.clients)
	pair("cluster.links", 0)
	pair("aof.buffer", 0)
	pair("lua.caches", 0)
	pair("functions.caches", 0)
	for i := range r.mainOverhead {
		if r.mainOverhead[i] == 0 && r.expiresOverhead[i] == 0 {
			continue
		}
		out.BulkString(fmt.Sprintf("db.%d", i))
		out.Map(3)
		pair("overhead.hashtable.main", r.mainOverhead[i])
		pair("overhead.hashtable.expires", r.expiresOverhead[i])
		pair("overhead.hashtable.slot-to-keys", 0)
	}
	pair("overhead.total", r.overhead)
	pair("keys.count", r.keys)
	perKey := int64(0)
	if r.keys > 0 {
		perKey = (r.used - r.startup) / r.keys
	}
	pair("keys.bytes-per-key", perKey)
	pair("dataset.bytes", r.dataset)
	out.BulkString("dataset.percentage")
	out.Double(f32(memRatio(r.dataset, r.used-r.startup) * 100))
	out.BulkString("peak.percentage")
	out.Double(f32(memRatio(r.used, r.peak) * 100))
	pair("allocator.allocated", r.allocated)
	pair("allocator.active", r.active)
	pair("allocator.resident", r.resident)
	out.BulkString("allocator-fragmentation.ratio")
	out.Double(f32(memRatio(r.active, r.allocated)))
	pair("allocator-fragmentation.bytes", r.active-r.allocated)
	out.BulkString("allocator-rss.ratio")
	out.Double(f32(memRatio(r.resident, r.active)))
	pair("allocator-rss.bytes", r.resident-r.active)
	out.BulkString("rss-overhead.ratio")
	out.Double(f32(memRatio(r.rss, r.resident)))
	pair("rss-overhead.bytes", r.rss-r.resident)
	out.BulkString("fragmentation")
	out.Double(f32(memRatio(r.rss, r.used)))
	pair("fragmentation.bytes", r.rss-r.used)
}

// memoryDoctorSmall is the used memory below which MEMORY DOCTOR has
// nothing to say (as Redis, 5 MB).
const memoryDoctorSmall = 5 << 20

// MEMORY DOCTOR
func memoryDoctorCmd(c *Ctx) {
	r := memoryMeasure(c, false)
	c.Out.Verbatim("txt", []byte(memoryDoctorReport(r)))
}

// memoryDoctorReport looks for the problems Redis's doctor looks for: a
// peak far above the current use, high fragmentation, and clients that
// hold much of the memory.
func memoryDoctorReport(r memoryReport) string {
	if r.used < memoryDoctorSmall {
		return "Ember's memory doctor: this server holds almost nothing yet (under 5 MB in use), " +
			"so there is nothing to diagnose. Load some data and ask again."
	}
	var found []string
	if r.peak > r.used*3/2 {
		found = append(found, fmt.Sprintf(" * Peak use (%s) was more than 150%% of the current use (%s): "+
			"memory freed since then may still be held by the Go runtime until it is scavenged "+
			"(MEMORY PURGE returns it at once).", bytesToHuman(uint64(r.peak)), bytesToHuman(uint64(r.used))))
	}
	if frag := memRatio(r.rss, r.used); frag > 1.4 && r.rss-r.used > 10<<20 {
		found = append(found, fmt.Sprintf(" * The resident set is %.2f times the memory in use: "+
			"garbage not yet collected and partly used heap pages. A lower GOGC, or maxmemory "+
			"(which sets the Go memory limit), keeps it closer.", frag))
	}
	if r.clients > r.used/2 {
		found = append(found, " * Client connections hold more than half of the memory in use: "+
			"close idle connections or pool them.")
	}
	if r.maxmemory == 0 {
		found = append(found, " * maxmemory is not set: the dataset can grow until the machine runs out of memory.")
	}
	if len(found) == 0 {
		return "Ember's memory doctor: no memory problems found."
	}
	return "Ember's memory doctor found these possible issues:\n\n" + strings.Join(found, "\n\n") + "\n"
}

// MEMORY MALLOC-STATS
func memoryMallocStatsCmd(c *Ctx) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var b strings.Builder
	fmt.Fprintf(&b, "Go %s runtime heap statistics\n", runtime.Version())
	row := func(name string, v uint64) { fmt.Fprintf(&b, "%-16s %d\n", name+":", v) }
	row("heap_alloc", ms.HeapAlloc)
	row("heap_inuse", ms.HeapInuse)
	row("heap_idle", ms.HeapIdle)
	row("heap_released", ms.HeapReleased)
	row("heap_sys", ms.HeapSys)
	row("heap_objects", ms.HeapObjects)
	row("stack_inuse", ms.StackInuse)
	row("sys", ms.Sys)
	row("next_gc", ms.NextGC)
	row("num_gc", uint64(ms.NumGC))
	row("gc_cpu_percent", uint64(ms.GCCPUFraction*100))
	fmt.Fprintf(&b, "%-16s %d\n", "memory_limit:", rtdebug.SetMemoryLimit(-1))
	c.Out.Verbatim("txt", []byte(b.String()))
}

// MEMORY PURGE
//
// Runs a garbage collection and returns every free heap page to the
// operating system (Redis asks jemalloc to purge its dirty pages).
func memoryPurgeCmd(c *Ctx) {
	rtdebug.FreeOSMemory()
	c.OK()
}
