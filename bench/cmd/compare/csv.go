package main

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// csvRow is one line of redis-benchmark --csv output. Latencies are in
// milliseconds.
type csvRow struct {
	Test    string
	RPS     float64
	AvgMs   float64
	MinMs   float64
	P50Ms   float64
	P95Ms   float64
	P99Ms   float64
	MaxMs   float64
	rawLine string
}

// csvHeader is what redis-benchmark 7.0 prints first with --csv.
var csvHeader = []string{"test", "rps", "avg_latency_ms", "min_latency_ms",
	"p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "max_latency_ms"}

// parseCSV parses redis-benchmark 7.0 --csv output. Lines that are not
// quoted CSV records (warnings, progress) are ignored; the header is
// checked when present so that a format change is reported instead of
// being misread. Columns are located by header name, so an older or newer
// redis-benchmark with the same names in another order still parses.
func parseCSV(out string) ([]csvRow, error) {
	cols := map[string]int{}
	for i, name := range csvHeader {
		cols[name] = i
	}
	var rows []csvRow
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if !strings.HasPrefix(line, `"`) {
			continue
		}
		r := csv.NewReader(strings.NewReader(line))
		r.LazyQuotes = true
		rec, err := r.Read()
		if err != nil {
			return nil, fmt.Errorf("redis-benchmark csv line %q: %v", line, err)
		}
		if slices.Contains(rec, "test") && slices.Contains(rec, "rps") {
			got := map[string]int{}
			for i, name := range rec {
				got[name] = i
			}
			for _, name := range csvHeader {
				if _, ok := got[name]; !ok {
					return nil, fmt.Errorf("redis-benchmark csv header %q lacks column %q", line, name)
				}
			}
			cols = got
			continue
		}
		field := func(name string) (float64, error) {
			i := cols[name]
			if i >= len(rec) {
				return 0, fmt.Errorf("redis-benchmark csv line %q: no column %q", line, name)
			}
			v, err := strconv.ParseFloat(rec[i], 64)
			if err != nil {
				return 0, fmt.Errorf("redis-benchmark csv line %q: column %q: %v", line, name, err)
			}
			return v, nil
		}
		row := csvRow{Test: rec[cols["test"]], rawLine: line}
		for _, f := range []struct {
			name string
			dst  *float64
		}{
			{"rps", &row.RPS}, {"avg_latency_ms", &row.AvgMs}, {"min_latency_ms", &row.MinMs},
			{"p50_latency_ms", &row.P50Ms}, {"p95_latency_ms", &row.P95Ms},
			{"p99_latency_ms", &row.P99Ms}, {"max_latency_ms", &row.MaxMs},
		} {
			v, err := field(f.name)
			if err != nil {
				return nil, err
			}
			*f.dst = v
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("redis-benchmark printed no csv result")
	}
	return rows, nil
}

// serverError extracts the "Error from server: ..." message redis-benchmark
// prints before exiting when a reply is an error; "" when there is none.
func serverError(out string) string {
	const marker = "Error from server: "
	i := strings.LastIndex(out, marker)
	if i < 0 {
		return ""
	}
	msg := out[i+len(marker):]
	if j := strings.IndexByte(msg, '\n'); j >= 0 {
		msg = msg[:j]
	}
	return strings.TrimSpace(msg)
}

// isUnknownCommand reports whether an error reply says the command does not
// exist (Redis: "ERR unknown command 'x', with args beginning with: ...").
func isUnknownCommand(msg string) bool {
	return strings.HasPrefix(strings.TrimPrefix(msg, "-"), "ERR unknown command")
}
