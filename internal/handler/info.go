package handler

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ember-kv/ember/internal/blocking"
	"github.com/ember-kv/ember/internal/pubsub"
	"github.com/ember-kv/ember/internal/tracking"

	"github.com/ember-kv/ember/internal/command"
)

func init() {
	register(map[string]Func{"info": info})
}

// INFO [section [section ...]]
//
// The sections, field names and field order are Redis 7.0's; values are
// Ember's own measurements, and what Ember does not do (persistence,
// replication, eviction, ...) reads as idle. Unknown sections are ignored.
func info(c *Ctx) {
	sections := map[string]bool{}
	all, everything := false, false
	if len(c.Args) == 1 {
		for _, s := range infoDefaultSections {
			sections[s] = true
		}
	}
	for _, a := range c.Args[1:] {
		switch s := strings.ToLower(string(a)); s {
		case "default":
			for _, d := range infoDefaultSections {
				sections[d] = true
			}
		case "all":
			all = true
		case "everything":
			all, everything = true, true
		default:
			sections[s] = true
		}
	}
	_ = everything // Ember has no modules, so "everything" adds nothing to "all"
	c.Out.Verbatim("txt", infoText(c, sections, all))
}

var infoDefaultSections = []string{
	"server", "clients", "memory", "persistence", "stats", "replication",
	"cpu", "module_list", "errorstats", "cluster", "keyspace",
}

// infoWriter accumulates INFO's text.
type infoWriter struct {
	b        []byte
	sections int
}

func (w *infoWriter) section(title string) {
	if w.sections > 0 {
		w.b = append(w.b, "\r\n"...)
	}
	w.sections++
	w.b = append(w.b, "# "...)
	w.b = append(w.b, title...)
	w.b = append(w.b, "\r\n"...)
}

func (w *infoWriter) str(name, v string) {
	w.b = append(w.b, name...)
	w.b = append(w.b, ':')
	w.b = append(w.b, v...)
	w.b = append(w.b, "\r\n"...)
}

func (w *infoWriter) int(name string, v int64) {
	w.b = append(w.b, name...)
	w.b = append(w.b, ':')
	w.b = strconv.AppendInt(w.b, v, 10)
	w.b = append(w.b, "\r\n"...)
}

func (w *infoWriter) uint(name string, v uint64) {
	w.b = append(w.b, name...)
	w.b = append(w.b, ':')
	w.b = strconv.AppendUint(w.b, v, 10)
	w.b = append(w.b, "\r\n"...)
}

// float writes v with two decimals, as Redis's "%.2f".
func (w *infoWriter) float(name string, v float64) {
	w.b = append(w.b, name...)
	w.b = append(w.b, ':')
	w.b = strconv.AppendFloat(w.b, v, 'f', 2, 64)
	w.b = append(w.b, "\r\n"...)
}

func (w *infoWriter) zeros(names ...string) {
	for _, n := range names {
		w.int(n, 0)
	}
}

func infoText(c *Ctx, sections map[string]bool, all bool) []byte {
	want := func(s string) bool { return all || sections[s] }
	w := &infoWriter{}
	env := c.Env
	cfg := env.Config
	if want("server") {
		infoServer(w, c)
	}
	if want("clients") {
		w.section("Clients")
		w.int("connected_clients", int64(env.Clients.Len()))
		w.int("cluster_connections", 0)
		w.int("maxclients", cfg.Int("maxclients"))
		w.zeros("client_recent_max_input_buffer", "client_recent_max_output_buffer")
		w.int("blocked_clients", blocking.For(env.Keyspace).Blocked()+PausedClients(env.Pause))
		w.int("tracking_clients", tracking.For(env.Clients).Clients())
		w.zeros("clients_in_timeout_table")
	}
	if want("memory") {
		infoMemory(w, c)
	}
	if want("persistence") {
		w.section("Persistence")
		w.zeros("loading", "async_loading", "current_cow_peak", "current_cow_size", "current_cow_size_age")
		w.float("current_fork_perc", 0)
		w.zeros("current_save_keys_processed", "current_save_keys_total",
			"rdb_changes_since_last_save", "rdb_bgsave_in_progress")
		// Nothing was ever saved: the last save is the start, as LASTSAVE says.
		w.int("rdb_last_save_time", env.Started.Unix())
		w.str("rdb_last_bgsave_status", "ok")
		w.int("rdb_last_bgsave_time_sec", -1)
		w.int("rdb_current_bgsave_time_sec", -1)
		w.zeros("rdb_saves", "rdb_last_cow_size", "rdb_last_load_keys_expired", "rdb_last_load_keys_loaded",
			"aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled")
		w.int("aof_last_rewrite_time_sec", -1)
		w.int("aof_current_rewrite_time_sec", -1)
		w.str("aof_last_bgrewrite_status", "ok")
		w.zeros("aof_rewrites", "aof_rewrites_consecutive_failures")
		w.str("aof_last_write_status", "ok")
		w.zeros("aof_last_cow_size", "module_fork_in_progress", "module_fork_last_cow_size")
	}
	if want("stats") {
		infoStats(w, c)
	}
	if want("replication") {
		w.section("Replication")
		w.str("role", "master")
		w.int("connected_slaves", 0)
		w.str("master_failover_state", "no-failover")
		w.str("master_replid", env.ReplID)
		w.str("master_replid2", "0000000000000000000000000000000000000000")
		w.int("master_repl_offset", 0)
		w.int("second_repl_offset", -1)
		w.int("repl_backlog_active", 0)
		w.int("repl_backlog_size", cfg.Int("repl-backlog-size"))
		w.zeros("repl_backlog_first_byte_offset", "repl_backlog_histlen")
	}
	if want("cpu") {
		w.section("CPU")
		sys, user, csys, cuser := cpuUsage()
		w.str("used_cpu_sys", cpuTime(sys))
		w.str("used_cpu_user", cpuTime(user))
		w.str("used_cpu_sys_children", cpuTime(csys))
		w.str("used_cpu_user_children", cpuTime(cuser))
		// Ember has no main thread: its figures are the whole process's.
		w.str("used_cpu_sys_main_thread", cpuTime(sys))
		w.str("used_cpu_user_main_thread", cpuTime(user))
	}
	if all || sections["module_list"] || sections["modules"] {
		w.section("Modules")
	}
	if want("commandstats") {
		w.section("Commandstats")
		stats := env.Stats.Commands
		for id := range stats {
			cs := &stats[id]
			calls, usec := cs.Calls.Load(), cs.Usec.Load()
			rejected, failed := cs.Rejected.Load(), cs.Failed.Load()
			if calls == 0 && rejected == 0 && failed == 0 {
				continue
			}
			perCall := float32(0)
			if calls != 0 {
				perCall = float32(usec) / float32(calls)
			}
			w.b = append(w.b, "cmdstat_"...)
			w.b = append(w.b, infoSafe(command.ByID(id).Name)...)
			w.b = append(w.b, ":calls="...)
			w.b = strconv.AppendInt(w.b, calls, 10)
			w.b = append(w.b, ",usec="...)
			w.b = strconv.AppendInt(w.b, usec, 10)
			w.b = append(w.b, ",usec_per_call="...)
			w.b = strconv.AppendFloat(w.b, float64(perCall), 'f', 2, 64)
			w.b = append(w.b, ",rejected_calls="...)
			w.b = strconv.AppendInt(w.b, rejected, 10)
			w.b = append(w.b, ",failed_calls="...)
			w.b = strconv.AppendInt(w.b, failed, 10)
			w.b = append(w.b, "\r\n"...)
		}
	}
	if want("errorstats") {
		w.section("Errorstats")
		if env.Errors != nil {
			for _, e := range env.Errors.Snapshot() {
				w.b = append(w.b, "errorstat_"...)
				w.b = append(w.b, infoSafe(e.Code)...)
				w.b = append(w.b, ":count="...)
				w.b = strconv.AppendInt(w.b, e.Count, 10)
				w.b = append(w.b, "\r\n"...)
			}
		}
	}
	if want("latencystats") {
		w.section("Latencystats")
		if env.Histograms != nil && env.Histograms.Tracking() {
			w.b = appendLatencyStats(w.b, env)
		}
	}
	if want("cluster") {
		w.section("Cluster")
		w.int("cluster_enabled", 0)
	}
	if want("keyspace") {
		w.section("Keyspace")
		for i := 0; i < env.Keyspace.NumDB(); i++ {
			db := c.DB.WithIndex(i)
			keys, vkeys := db.Len(), db.VolatileLen()
			if keys == 0 && vkeys == 0 {
				continue
			}
			w.b = append(w.b, "db"...)
			w.b = strconv.AppendInt(w.b, int64(i), 10)
			w.b = append(w.b, ":keys="...)
			w.b = strconv.AppendInt(w.b, int64(keys), 10)
			w.b = append(w.b, ",expires="...)
			w.b = strconv.AppendInt(w.b, int64(vkeys), 10)
			w.b = append(w.b, ",avg_ttl="...)
			w.b = strconv.AppendInt(w.b, infoAvgTTL(c, i, vkeys), 10)
			w.b = append(w.b, "\r\n"...)
		}
	}
	return w.b
}

// infoAvgTTL estimates the mean time to live (ms) of database i's
// volatile keys from a bounded sample, as Redis's is an estimate too.
func infoAvgTTL(c *Ctx, i, vkeys int) int64 {
	if vkeys == 0 {
		return 0
	}
	now := c.DB.Now
	var sum, n int64
	visits := 0
	c.DB.WithIndex(i).RangeVolatile(func(_ string, at int64) bool {
		visits++
		if at > now {
			sum += at - now
			n++
		}
		return visits < 4096 && n < 1024
	})
	if n == 0 {
		return 0
	}
	return sum / n
}

// infoSafe replaces the characters INFO's format reserves, as Redis does.
func infoSafe(s string) string {
	if !strings.ContainsAny(s, "#:\n\r") {
		return s
	}
	return strings.NewReplacer("#", "_", ":", "_", "\n", "_", "\r", "_").Replace(s)
}

// cpuTime renders a CPU time as Redis's "%ld.%06ld" seconds.
func cpuTime(d time.Duration) string {
	us := d.Microseconds()
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// infoBuildID identifies the Ember build (redis_build_id).
var infoBuildID = func() string {
	h := uint64(14695981039346656037)
	for _, b := range []byte(runtime.Version() + "/" + runtime.GOOS + "/" + runtime.GOARCH) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return strconv.FormatUint(h, 16)
}()

func infoServer(w *infoWriter, c *Ctx) {
	env, cfg := c.Env, c.Env.Config
	w.section("Server")
	w.str("redis_version", env.Version)
	w.str("redis_git_sha1", "00000000")
	w.int("redis_git_dirty", 0)
	w.str("redis_build_id", infoBuildID)
	w.str("redis_mode", "standalone")
	w.str("os", osName())
	w.int("arch_bits", strconv.IntSize)
	w.str("monotonic_clock", "Go runtime monotonic clock")
	w.str("multiplexing_api", multiplexingAPI())
	w.str("atomicvar_api", "go-sync-atomic")
	w.str("gcc_version", "0.0.0")
	w.int("process_id", int64(os.Getpid()))
	w.str("process_supervised", "no")
	w.str("run_id", env.RunID)
	w.int("tcp_port", cfg.Int("port"))
	w.int("server_time_usec", c.Now.UnixMicro())
	uptime := int64(c.Now.Sub(env.Started) / time.Second)
	w.int("uptime_in_seconds", uptime)
	w.int("uptime_in_days", uptime/(3600*24))
	w.int("hz", cfg.Int("hz"))
	w.int("configured_hz", cfg.Int("hz"))
	w.int("lru_clock", (c.Now.UnixMilli()/1000)&(1<<24-1))
	w.str("executable", env.Executable)
	w.str("config_file", cfg.File())
	w.int("io_threads_active", 0)
	w.str("ember_version", env.EmberVersion)
}

func infoMemory(w *infoWriter, c *Ctx) {
	r := memoryMeasure(c, false)
	used, peak, rss := uint64(r.used), uint64(r.peak), uint64(r.rss)
	startup, overhead, dataset := uint64(r.startup), uint64(r.overhead), uint64(r.dataset)
	allocated, active, resident := r.allocated, r.active, r.resident
	totalSystem := totalSystemMemory()
	ratio := func(a, b int64) float64 { return memRatio(a, b) }

	w.section("Memory")
	w.uint("used_memory", used)
	w.str("used_memory_human", bytesToHuman(used))
	w.uint("used_memory_rss", rss)
	w.str("used_memory_rss_human", bytesToHuman(rss))
	w.uint("used_memory_peak", peak)
	w.str("used_memory_peak_human", bytesToHuman(peak))
	w.str("used_memory_peak_perc", strconv.FormatFloat(ratio(r.used, r.peak)*100, 'f', 2, 64)+"%")
	w.uint("used_memory_overhead", overhead)
	w.uint("used_memory_startup", startup)
	w.uint("used_memory_dataset", dataset)
	w.str("used_memory_dataset_perc", strconv.FormatFloat(ratio(r.dataset, r.used-r.startup)*100, 'f', 2, 64)+"%")
	w.int("allocator_allocated", allocated)
	w.int("allocator_active", active)
	w.int("allocator_resident", resident)
	w.uint("total_system_memory", totalSystem)
	w.str("total_system_memory_human", bytesToHuman(totalSystem))
	// The Lua engine's memory is not counted (gopher-lua's heap is part of
	// the Go heap); its scripts and functions are.
	w.int("used_memory_lua", 0)
	w.int("used_memory_vm_eval", 0)
	w.str("used_memory_lua_human", "0B")
	var scripts int64
	var libs, funcs int
	if e := c.Env.Scripts; e != nil {
		scripts = e.Count()
		libs, funcs = e.FunctionCounts()
	}
	w.int("used_memory_scripts_eval", 0)
	w.int("number_of_cached_scripts", scripts)
	w.int("number_of_functions", int64(funcs))
	w.int("number_of_libraries", int64(libs))
	w.zeros("used_memory_vm_functions", "used_memory_vm_total")
	w.str("used_memory_vm_total_human", "0B")
	w.zeros("used_memory_functions", "used_memory_scripts")
	w.str("used_memory_scripts_human", "0B")
	w.int("maxmemory", r.maxmemory)
	w.str("maxmemory_human", bytesToHuman(uint64(r.maxmemory)))
	w.str("maxmemory_policy", r.policy)
	w.float("allocator_frag_ratio", ratio(active, allocated))
	w.int("allocator_frag_bytes", active-allocated)
	w.float("allocator_rss_ratio", ratio(resident, active))
	w.int("allocator_rss_bytes", resident-active)
	w.float("rss_overhead_ratio", ratio(r.rss, resident))
	w.int("rss_overhead_bytes", r.rss-resident)
	w.float("mem_fragmentation_ratio", ratio(r.rss, r.used))
	w.int("mem_fragmentation_bytes", r.rss-r.used)
	w.zeros("mem_not_counted_for_evict", "mem_replication_backlog", "mem_total_replication_buffers",
		"mem_clients_slaves")
	w.int("mem_clients_normal", r.clients)
	w.zeros("mem_cluster_links", "mem_aof_buffer")
	w.str("mem_allocator", "go-"+strings.TrimPrefix(runtime.Version(), "go"))
	w.zeros("active_defrag_running", "lazyfree_pending_objects", "lazyfreed_objects")
}

// bytesToHuman renders a byte count as Redis's INFO does (1.46M).
func bytesToHuman(n uint64) string {
	const k = 1024
	switch {
	case n < k:
		return strconv.FormatUint(n, 10) + "B"
	case n < k*k:
		return strconv.FormatFloat(float64(n)/k, 'f', 2, 64) + "K"
	case n < k*k*k:
		return strconv.FormatFloat(float64(n)/(k*k), 'f', 2, 64) + "M"
	case n < k*k*k*k:
		return strconv.FormatFloat(float64(n)/(k*k*k), 'f', 2, 64) + "G"
	case n < k*k*k*k*k:
		return strconv.FormatFloat(float64(n)/(k*k*k*k), 'f', 2, 64) + "T"
	case n < k*k*k*k*k*k:
		return strconv.FormatFloat(float64(n)/(k*k*k*k*k), 'f', 2, 64) + "P"
	}
	return strconv.FormatUint(n, 10) + "B"
}

func infoStats(w *infoWriter, c *Ctx) {
	env := c.Env
	st := env.Stats
	ks := env.Keyspace.Stats()
	var ops, inKbps, outKbps float64
	if env.Metrics != nil {
		env.Metrics.start(env)
		ops, inKbps, outKbps = env.Metrics.Rates()
	}
	w.section("Stats")
	w.int("total_connections_received", st.TotalConnections.Load())
	w.int("total_commands_processed", st.TotalCommands.Load())
	w.int("instantaneous_ops_per_sec", int64(ops))
	w.int("total_net_input_bytes", st.NetInput.Load())
	w.int("total_net_output_bytes", st.NetOutput.Load())
	w.zeros("total_net_repl_input_bytes", "total_net_repl_output_bytes")
	w.float("instantaneous_input_kbps", inKbps)
	w.float("instantaneous_output_kbps", outKbps)
	w.float("instantaneous_input_repl_kbps", 0)
	w.float("instantaneous_output_repl_kbps", 0)
	w.int("rejected_connections", st.RejectedConns.Load())
	w.zeros("sync_full", "sync_partial_ok", "sync_partial_err")
	w.int("expired_keys", ks.ExpiredKeys)
	w.float("expired_stale_perc", 0)
	w.zeros("expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds")
	w.int("evicted_keys", ks.EvictedKeys)
	w.int("evicted_clients", 0)
	exceededTotal, exceededNow := env.Keyspace.ExceededTime(c.DB.Now)
	w.int("total_eviction_exceeded_time", exceededTotal)
	w.int("current_eviction_exceeded_time", exceededNow)
	w.int("keyspace_hits", ks.Hits)
	w.int("keyspace_misses", ks.Misses)
	ps := pubsub.For(c.Env.Clients)
	w.int("pubsub_channels", int64(ps.Count(pubsub.Channel)))
	w.int("pubsub_patterns", int64(ps.Count(pubsub.Pattern)))
	w.int("pubsubshard_channels", int64(ps.Count(pubsub.Shard)))
	w.zeros("latest_fork_usec",
		"total_forks", "migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits",
		"active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses",
		"total_active_defrag_time", "current_active_defrag_time")
	tt := tracking.For(c.Env.Clients)
	w.int("tracking_total_keys", tt.Keys())
	w.int("tracking_total_items", tt.Items())
	w.int("tracking_total_prefixes", tt.Prefixes())
	w.zeros("unexpected_error_replies")
	w.int("total_error_replies", st.ErrorReplies.Load())
	w.zeros("dump_payload_sanitizations", "total_reads_processed", "total_writes_processed",
		"io_threaded_reads_processed", "io_threaded_writes_processed",
		"reply_buffer_shrinks", "reply_buffer_expands")
}

// ErrorStats counts error replies by their code, the reply's first word
// (INFO errorstats).
type ErrorStats struct {
	mu     sync.Mutex
	counts map[string]int64
}

// errorStatsLimit bounds the number of distinct codes kept.
const errorStatsLimit = 128

// NewErrorStats returns empty counters.
func NewErrorStats() *ErrorStats { return &ErrorStats{counts: map[string]int64{}} }

// Add counts an error reply (without its '-'): its code is the text up to
// the first space within 32 bytes, else "ERR".
func (e *ErrorStats) Add(msg []byte) {
	code := msg
	if i := indexByte(code, '\r'); i >= 0 {
		code = code[:i]
	}
	if len(code) > 32 {
		code = code[:32]
	}
	if i := indexByte(code, ' '); i >= 0 {
		code = code[:i]
	} else {
		code = []byte("ERR")
	}
	e.mu.Lock()
	if n, ok := e.counts[string(code)]; ok {
		e.counts[string(code)] = n + 1
	} else if len(e.counts) < errorStatsLimit {
		e.counts[string(code)] = 1
	}
	e.mu.Unlock()
}

// AddString is Add for a string.
func (e *ErrorStats) AddString(msg string) { e.Add([]byte(msg)) }

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// ErrorCount is one code's count.
type ErrorCount struct {
	Code  string
	Count int64
}

// Snapshot returns the counts sorted by code.
func (e *ErrorStats) Snapshot() []ErrorCount {
	e.mu.Lock()
	out := make([]ErrorCount, 0, len(e.counts))
	for k, v := range e.counts {
		out = append(out, ErrorCount{k, v})
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Reset forgets every count (CONFIG RESETSTAT).
func (e *ErrorStats) Reset() {
	e.mu.Lock()
	e.counts = map[string]int64{}
	e.mu.Unlock()
}

// Metrics samples the commands and network counters ten times a second to
// give INFO's instantaneous rates, averaged over the last 16 samples as
// Redis does. Sampling starts with the first INFO stats and stops with the
// server.
type Metrics struct {
	once    sync.Once
	mu      sync.Mutex
	samples [3][16]float64 // per second: commands, input bytes, output bytes
	idx     int
	last    [3]int64
	lastAt  time.Time
}

// NewMetrics returns an idle sampler.
func NewMetrics() *Metrics { return &Metrics{} }

func (m *Metrics) start(env *Env) {
	m.once.Do(func() {
		m.mu.Lock()
		m.last = metricCounters(env)
		m.lastAt = time.Now()
		m.mu.Unlock()
		go func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-env.Done:
					return
				case now := <-t.C:
					m.sample(env, now)
				}
			}
		}()
	})
}

func metricCounters(env *Env) [3]int64 {
	return [3]int64{env.Stats.TotalCommands.Load(), env.Stats.NetInput.Load(), env.Stats.NetOutput.Load()}
}

func (m *Metrics) sample(env *Env, now time.Time) {
	cur := metricCounters(env)
	m.mu.Lock()
	defer m.mu.Unlock()
	dt := now.Sub(m.lastAt).Seconds()
	if dt <= 0 {
		return
	}
	for i := range cur {
		d := cur[i] - m.last[i]
		if d < 0 { // the counters were reset
			d = 0
		}
		m.samples[i][m.idx] = float64(d) / dt
	}
	m.idx = (m.idx + 1) % 16
	m.last, m.lastAt = cur, now
}

// Rates returns commands per second and input and output kilobytes per
// second.
func (m *Metrics) Rates() (ops, inKbps, outKbps float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var sum [3]float64
	for i := range sum {
		for _, s := range m.samples[i] {
			sum[i] += s
		}
	}
	// Redis averages integer samples: ops/sec truncates.
	return float64(int64(sum[0] / 16)), sum[1] / 16 / 1024, sum[2] / 16 / 1024
}

// Reset clears the samples (CONFIG RESETSTAT).
func (m *Metrics) Reset() {
	m.mu.Lock()
	m.samples = [3][16]float64{}
	m.idx = 0
	m.lastAt = time.Now()
	m.last = [3]int64{}
	m.mu.Unlock()
}

// appendLatencyStats appends a latency_percentiles_usec_<command> line for
// every command that ran, with the percentiles latency-tracking-info-
// percentiles names: p50=1.003,p99=...
func appendLatencyStats(b []byte, env *Env) []byte {
	var ps []float64
	for _, f := range strings.Fields(env.Config.Get("latency-tracking-info-percentiles")) {
		if p, err := strconv.ParseFloat(f, 64); err == nil {
			ps = append(ps, p)
		}
	}
	for id := range command.Count() {
		h := env.Histograms.Of(id)
		if h == nil {
			continue
		}
		b = append(b, "latency_percentiles_usec_"...)
		b = append(b, command.ByID(id).Name...)
		b = append(b, ':')
		for i, p := range ps {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, 'p')
			b = strconv.AppendFloat(b, p, 'f', -1, 64)
			b = append(b, '=')
			b = strconv.AppendFloat(b, h.Percentile(p), 'f', 3, 64)
		}
		b = append(b, "\r\n"...)
	}
	return b
}
