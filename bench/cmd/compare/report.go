package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
)

type machine struct {
	benchsrv.Host
	OS           string `json:"os"`
	LoadAvgStart string `json:"loadavg_start"`
	LoadAvgEnd   string `json:"loadavg_end"`
}

type settings struct {
	Requests        int     `json:"requests"`
	Rounds          int     `json:"rounds"`
	Keyspace        int     `json:"keyspace"`
	ServerCPUs      string  `json:"server_cpus,omitempty"`
	BenchCPUs       string  `json:"benchmark_cpus,omitempty"`
	EmberGOMAXPROCS int     `json:"ember_gomaxprocs,omitempty"`
	ServerFlags     string  `json:"server_flags"`
	MaxNoise        float64 `json:"max_noise"`
}

// side is one server's result for a row: medians over its successful runs.
type side struct {
	Status       string  `json:"status"`
	OpsPerSec    float64 `json:"ops_per_sec,omitempty"`
	P50Ms        float64 `json:"p50_ms,omitempty"`
	P99Ms        float64 `json:"p99_ms,omitempty"`
	OpsPerCPUSec float64 `json:"ops_per_cpu_s,omitempty"`
	// OpsSpread is the largest ops/s over the smallest among the runs:
	// how noisy the machine was for this row (1 = every round the same).
	OpsSpread float64 `json:"ops_spread,omitempty"`
	OKRuns    int     `json:"ok_runs"`
	// Noise is the median of the runs' noise (see runResult.Noise).
	Noise float64     `json:"noise"`
	Runs  []runResult `json:"runs"`
}

// ratios are ember/redis. Zero (omitted) when either side has no value.
type ratios struct {
	OpsPerSec  float64 `json:"ops_per_sec,omitempty"`
	P50        float64 `json:"p50,omitempty"`
	P99        float64 `json:"p99,omitempty"`
	Efficiency float64 `json:"efficiency,omitempty"`
}

type row struct {
	Workload string `json:"workload"`
	Clients  int    `json:"clients"`
	Pipeline int    `json:"pipeline"`
	Size     int    `json:"size"`
	Requests int    `json:"requests"`
	Redis    side   `json:"redis"`
	Ember    side   `json:"ember"`
	Ratio    ratios `json:"ratio"`
}

type geo struct {
	OpsPerSec  float64 `json:"ops_per_sec"`
	P50        float64 `json:"p50"`
	P99        float64 `json:"p99"`
	Efficiency float64 `json:"efficiency"`
	Rows       int     `json:"rows"`
}

type report struct {
	benchsrv.Header
	Machine  machine  `json:"machine"`
	Settings settings `json:"settings"`
	Rows     []*row   `json:"rows"`
	Geomean  geo      `json:"geomean_ratio"`
	// GeomeanQuiet is over the rows whose noise was at most MaxNoise.
	GeomeanQuiet *geo `json:"geomean_ratio_quiet,omitempty"`
}

func (r *row) side(name string) *side {
	if name == "redis" {
		return &r.Redis
	}
	return &r.Ember
}

func (r runResult) summary() string {
	if r.Status != statusOK {
		msg := r.Status
		if r.Error != "" && r.Status != statusNotImplemented {
			msg += ": " + r.Error
		}
		return msg
	}
	eff := "-"
	if r.OpsPerCPUSec > 0 {
		eff = fmtOps(r.OpsPerCPUSec)
	}
	return fmt.Sprintf("%9s ops/s  p50 %.3f  p99 %.3f ms  %s ops/CPU-s  noise %.0f%%", fmtOps(r.OpsPerSec), r.P50Ms, r.P99Ms, eff, 100*r.Noise)
}

// aggregate computes the medians over the successful runs.
func (s *side) aggregate() {
	var ops, p50, p99, eff, noise []float64
	s.Status = ""
	for _, r := range s.Runs {
		if r.Status != statusOK {
			if s.Status == "" {
				s.Status = r.Status
			}
			continue
		}
		ops = append(ops, r.OpsPerSec)
		p50 = append(p50, r.P50Ms)
		p99 = append(p99, r.P99Ms)
		noise = append(noise, r.Noise)
		if r.OpsPerCPUSec > 0 {
			eff = append(eff, r.OpsPerCPUSec)
		}
	}
	s.OKRuns = len(ops)
	if len(ops) > 0 {
		s.Status = statusOK
	}
	if s.Status == "" {
		s.Status = "not run"
	}
	s.OpsPerSec, s.P50Ms, s.P99Ms, s.OpsPerCPUSec = median(ops), median(p50), median(p99), median(eff)
	s.Noise = median(noise)
	if len(ops) > 0 {
		s.OpsSpread = slices.Max(ops) / slices.Min(ops)
	}
}

// finish aggregates every row and the geometric means of the ratios.
func (rep *report) finish() {
	var all, quiet [4][]float64
	for _, r := range rep.Rows {
		r.Redis.aggregate()
		r.Ember.aggregate()
		r.Ratio = ratios{
			OpsPerSec:  ratio(r.Ember.OpsPerSec, r.Redis.OpsPerSec),
			P50:        ratio(r.Ember.P50Ms, r.Redis.P50Ms),
			P99:        ratio(r.Ember.P99Ms, r.Redis.P99Ms),
			Efficiency: ratio(r.Ember.OpsPerCPUSec, r.Redis.OpsPerCPUSec),
		}
		v := [4]float64{r.Ratio.OpsPerSec, r.Ratio.P50, r.Ratio.P99, r.Ratio.Efficiency}
		for i := range v {
			all[i] = append(all[i], v[i])
			if rowNoise(r) <= rep.Settings.MaxNoise {
				quiet[i] = append(quiet[i], v[i])
			}
		}
	}
	rep.Geomean = geoOf(all)
	rep.GeomeanQuiet = nil
	if rep.pinned() {
		q := geoOf(quiet)
		rep.GeomeanQuiet = &q
	}
}

func geoOf(cols [4][]float64) geo {
	var g geo
	g.OpsPerSec, g.Rows = geomean(cols[0])
	g.P50, _ = geomean(cols[1])
	g.P99, _ = geomean(cols[2])
	g.Efficiency, _ = geomean(cols[3])
	return g
}

func (rep *report) pinned() bool { return rep.Settings.ServerCPUs != "" }

// rowNoise is the larger of the two sides' median noise (sides that ran).
func rowNoise(r *row) float64 {
	n := 0.0
	for _, s := range []*side{&r.Redis, &r.Ember} {
		if s.Status == statusOK {
			n = max(n, s.Noise)
		}
	}
	return n
}

// fmtOps prints a rate compactly: 950, 12.3k, 1.23M.
func fmtOps(v float64) string {
	switch {
	case v <= 0:
		return "-"
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func fmtSize(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return fmt.Sprintf("%d KB", n/1024)
	}
	return fmt.Sprintf("%d B", n)
}

func fmtMs(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}

func fmtRatio(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

var tableHeader = []string{"workload", "clients", "pipeline", "size",
	"ops/s redis", "ops/s ember", "x",
	"p50 ms redis", "p50 ms ember", "x",
	"p99 ms redis", "p99 ms ember", "x",
	"ops/CPU-s redis", "ops/CPU-s ember", "x", "noise"}

// cells renders the table body, geometric-mean line last.
func (rep *report) cells() [][]string {
	var out [][]string
	for _, r := range rep.Rows {
		c := []string{r.Workload, fmt.Sprint(r.Clients), fmt.Sprint(r.Pipeline), fmtSize(r.Size)}
		// A side without a result shows its status once, in its ops/s
		// column, and "-" in the others.
		cell := func(s *side, f func(*side) string, showStatus bool) string {
			switch {
			case s.Status == statusOK:
				return f(s)
			case showStatus:
				return s.Status
			}
			return "-"
		}
		ops := func(s *side) string { return fmtOps(s.OpsPerSec) }
		p50 := func(s *side) string { return fmtMs(s.P50Ms) }
		p99 := func(s *side) string { return fmtMs(s.P99Ms) }
		eff := func(s *side) string { return fmtOps(s.OpsPerCPUSec) }
		c = append(c,
			cell(&r.Redis, ops, true), cell(&r.Ember, ops, true), fmtRatio(r.Ratio.OpsPerSec),
			cell(&r.Redis, p50, false), cell(&r.Ember, p50, false), fmtRatio(r.Ratio.P50),
			cell(&r.Redis, p99, false), cell(&r.Ember, p99, false), fmtRatio(r.Ratio.P99),
			cell(&r.Redis, eff, false), cell(&r.Ember, eff, false), fmtRatio(r.Ratio.Efficiency),
			rep.noiseCell(r))
		out = append(out, c)
	}
	return out
}

// footer renders the geometric-mean lines under the table.
func (rep *report) footer() [][]string {
	line := func(label string, g geo) []string {
		return []string{fmt.Sprintf(label, g.Rows), "", "", "",
			"", "", fmtRatio(g.OpsPerSec), "", "", fmtRatio(g.P50), "", "", fmtRatio(g.P99),
			"", "", fmtRatio(g.Efficiency), ""}
	}
	out := [][]string{line("geomean (%d rows)", rep.Geomean)}
	if q := rep.GeomeanQuiet; q != nil {
		out = append(out, line(fmt.Sprintf("geomean, noise <= %.0f%%%% (%%d rows)", 100*rep.Settings.MaxNoise), *q))
	}
	return out
}

// noiseCell shows the row's noise, "-" when it was not measured (not
// pinned) or neither side ran.
func (rep *report) noiseCell(r *row) string {
	if !rep.pinned() || (r.Redis.Status != statusOK && r.Ember.Status != statusOK) {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*rowNoise(r))
}

// textTable aligns the table in columns; numbers right-aligned.
func (rep *report) textTable() string {
	body, foot := rep.cells(), rep.footer()
	rows := append(append([][]string{tableHeader}, body...), foot...)
	width := make([]int, len(tableHeader))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	for ri, r := range rows {
		if ri == 1 || ri == 1+len(body) {
			writeRule(&b, width)
		}
		line := ""
		for i, c := range r {
			if i > 0 {
				line += "  "
			}
			pad := strings.Repeat(" ", width[i]-len(c))
			if i == 0 {
				line += c + pad
			} else {
				line += pad + c
			}
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeRule(b *strings.Builder, width []int) {
	total := 0
	for _, w := range width {
		total += w + 2
	}
	b.WriteString(strings.Repeat("-", total-2) + "\n")
}

// markdown renders the table for docs/performance.md.
func (rep *report) markdown() string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(tableHeader, " | ") + " |\n|")
	for i := range tableHeader {
		if i == 0 {
			b.WriteString("---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, r := range rep.cells() {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	for _, r := range rep.footer() {
		for j := range r {
			if r[j] != "" {
				r[j] = "**" + r[j] + "**"
			}
		}
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}

func (rep *report) footnote() string {
	return fmt.Sprintf("x = ember/redis. ops/s and ops/CPU-s: above 1 means ember does better; p50/p99: below 1 means ember answers faster.\n"+
		"noise = share of the pinned CPUs other processes took during the row's runs (median, worse side); rows above %.0f%% are unreliable.\n"+
		"Medians of %d round(s) of %d requests; servers on CPU %s, redis-benchmark on CPU %s; ember GOMAXPROCS=%d; %s; load average %s -> %s.",
		100*rep.Settings.MaxNoise, rep.Settings.Rounds, rep.Settings.Requests, orNone(rep.Settings.ServerCPUs), orNone(rep.Settings.BenchCPUs),
		rep.Settings.EmberGOMAXPROCS, rep.Machine.CPUModel, rep.Machine.LoadAvgStart, rep.Machine.LoadAvgEnd)
}

func orNone(s string) string {
	if s == "" {
		return "(not pinned)"
	}
	return s
}

func (rep *report) writeJSON(w io.Writer) error { return benchsrv.JSON(rep)(w) }

// thisMachine describes this machine, with the load average now.
func thisMachine() machine {
	return machine{Host: benchsrv.ThisHost(), OS: runtime.GOOS + "/" + runtime.GOARCH, LoadAvgStart: benchsrv.LoadAvg()}
}

func (rep *report) writeSVG(w io.Writer) error {
	var bars []bar
	for _, r := range rep.Rows {
		b := bar{Label: fmt.Sprintf("%s c%d P%d %s", r.Workload, r.Clients, r.Pipeline, fmtSize(r.Size)), Value: r.Ratio.OpsPerSec}
		if b.Value <= 0 {
			b.Note = r.Ember.Status
			if r.Ember.Status == statusOK {
				b.Note = "redis: " + r.Redis.Status
			}
		}
		bars = append(bars, b)
	}
	sub := fmt.Sprintf("redis-benchmark ops/s, ember %s / redis %s; median of %d round(s); geomean %.2f",
		versionNumber(rep.EmberVersion), versionNumber(rep.RedisVersion), rep.Settings.Rounds, rep.Geomean.OpsPerSec)
	return svgChart(w, "Ember vs Redis throughput (higher is better)", sub, bars)
}

// bar is one row of the chart: a ratio, or a note when there is none.
type bar struct {
	Label string
	Value float64
	Note  string
}

// svgChart draws a horizontal bar chart of ratios with a reference line
// at 1.0. The output depends only on its arguments.
func svgChart(w io.Writer, title, subtitle string, bars []bar) error {
	const (
		width  = 820.0
		left   = 250.0 // label column
		right  = 60.0  // room for value labels
		top    = 62.0
		rowH   = 20.0
		barH   = 14.0
		bottom = 36.0
	)
	maxV := 1.5
	for _, b := range bars {
		if b.Value > maxV {
			maxV = b.Value
		}
	}
	axisMax := math.Ceil(maxV*2) / 2 // next multiple of 0.5
	step := 0.5
	if axisMax > 4 {
		step = 1
	}
	plotW := width - left - right
	x := func(v float64) float64 { return left + v/axisMax*plotW }
	plotBottom := top + float64(len(bars))*rowH
	height := plotBottom + bottom

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%.0f" height="%.0f" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%.1f" y="22" text-anchor="middle" font-size="15" font-weight="bold">%s</text>`+"\n", width/2, xmlEscape(title))
	fmt.Fprintf(&b, `<text x="%.1f" y="40" text-anchor="middle" fill="#555555">%s</text>`+"\n", width/2, xmlEscape(subtitle))
	for v := 0.0; v <= axisMax+1e-9; v += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e5e5"/>`+"\n", x(v), top, x(v), plotBottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#555555">%.1f</text>`+"\n", x(v), plotBottom+16, v)
	}
	for i, br := range bars {
		y := top + float64(i)*rowH
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-8, y+rowH/2+4, xmlEscape(br.Label))
		if br.Value <= 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#888888" font-style="italic">%s</text>`+"\n", left+6, y+rowH/2+4, xmlEscape(br.Note))
			continue
		}
		fill := "#2a9d8f"
		if br.Value < 1 {
			fill = "#e76f51"
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", left, y+(rowH-barH)/2, x(br.Value)-left, barH, fill)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%.2f</text>`+"\n", x(br.Value)+4, y+rowH/2+4, br.Value)
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222222" stroke-width="1.5" stroke-dasharray="5 3"/>`+"\n", x(1), top-6, x(1), plotBottom)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#222222">1.0 = Redis</text>`+"\n", x(1), top-10)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#555555">ember ops/s ÷ redis ops/s</text>`+"\n", left+plotW/2, height-4)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// versionNumber picks "7.0.15" out of "Redis server v=7.0.15 sha=...".
func versionNumber(s string) string {
	for _, f := range strings.Fields(s) {
		if v, ok := strings.CutPrefix(f, "v="); ok {
			return v
		}
	}
	return "?"
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
