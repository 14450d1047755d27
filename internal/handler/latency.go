package handler

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/latency"
)

func init() {
	register(map[string]Func{
		"latency|latest":    latencyLatestCmd,
		"latency|history":   latencyHistoryCmd,
		"latency|reset":     latencyResetCmd,
		"latency|graph":     latencyGraphCmd,
		"latency|doctor":    latencyDoctorCmd,
		"latency|histogram": latencyHistogramCmd,
		"latency|help":      latencyHelpCmd,
	})
}

// LATENCY LATEST: [event, unix time, latest ms, all-time high ms] for each
// event class with samples.
func latencyLatestCmd(c *Ctx) {
	latest := c.Env.Latency.Latest()
	c.Out.Array(len(latest))
	for _, l := range latest {
		c.Out.Array(4)
		c.Out.BulkString(l.Event)
		c.Out.Int(l.Time)
		c.Out.Int(l.Latency)
		c.Out.Int(l.Max)
	}
}

// LATENCY HISTORY event: [unix time, ms] for each sample, oldest first.
func latencyHistoryCmd(c *Ctx) {
	samples := c.Env.Latency.History(string(c.Args[2]))
	c.Out.Array(len(samples))
	for _, s := range samples {
		c.Out.Array(2)
		c.Out.Int(s.Time)
		c.Out.Int(s.Latency)
	}
}

// LATENCY RESET [event ...]: the number of event classes dropped.
func latencyResetCmd(c *Ctx) {
	events := make([]string, 0, len(c.Args)-2)
	for _, a := range c.Args[2:] {
		events = append(events, string(a))
	}
	c.Out.Int(int64(c.Env.Latency.Reset(events...)))
}

// LATENCY GRAPH event: the event's samples drawn as text.
func latencyGraphCmd(c *Ctx) {
	event := string(c.Args[2])
	samples := c.Env.Latency.History(event)
	top, ok := c.Env.Latency.Max(event)
	if !ok || len(samples) == 0 {
		c.Error(errs.LatencyNoSamples(event))
		return
	}
	c.Out.Verbatim("txt", []byte(latencyGraph(event, samples, top, time.Now().Unix())))
}

// latencyGraph draws up to 80 samples, newest on the right, as columns of
// '#' four rows high between the lowest and the highest, with the age of
// the oldest and the newest below.
func latencyGraph(event string, samples []latency.Sample, top, now int64) string {
	const width, height = 80, 4
	if len(samples) > width {
		samples = samples[len(samples)-width:]
	}
	lo, hi := samples[0].Latency, samples[0].Latency
	for _, s := range samples {
		lo, hi = min(lo, s.Latency), max(hi, s.Latency)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", event, hi, lo, top)
	b.WriteString(strings.Repeat("-", width) + "\n")
	for row := height; row >= 1; row-- {
		for _, s := range samples {
			level := height
			if hi > lo {
				level = 1 + int((s.Latency-lo)*(height-1)/(hi-lo))
			}
			if level >= row {
				b.WriteByte('#')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%d samples, the oldest %s ago, the newest %s ago\n",
		len(samples), latencyAge(now-samples[0].Time), latencyAge(now-samples[len(samples)-1].Time))
	return b.String()
}

// latencyAge renders a number of seconds as s, m or h.
func latencyAge(secs int64) string {
	switch {
	case secs < 60:
		return strconv.FormatInt(max(secs, 0), 10) + "s"
	case secs < 3600:
		return strconv.FormatInt(secs/60, 10) + "m"
	}
	return strconv.FormatInt(secs/3600, 10) + "h"
}

// LATENCY DOCTOR: the recorded spikes and what may help, in words.
func latencyDoctorCmd(c *Ctx) {
	c.Out.Verbatim("txt", []byte(latencyDoctor(c.Env)))
}

func latencyDoctor(env *Env) string {
	latest := env.Latency.Latest()
	threshold := env.Latency.Threshold()
	var b strings.Builder
	switch {
	case threshold == 0 && len(latest) == 0:
		b.WriteString("The latency monitor is off (latency-monitor-threshold is 0), so no spike was recorded.\n" +
			"Turn it on with CONFIG SET latency-monitor-threshold <milliseconds>.\n")
		return b.String()
	case len(latest) == 0:
		fmt.Fprintf(&b, "No latency spike of %d ms or more has been recorded.\n", threshold)
		return b.String()
	}
	b.WriteString("Latency spikes recorded, by event class:\n\n")
	commands := false
	for i, l := range latest {
		samples := env.Latency.History(l.Event)
		var sum float64
		for _, s := range samples {
			sum += float64(s.Latency)
		}
		mean := sum / float64(len(samples))
		var dev float64
		for _, s := range samples {
			dev += math.Abs(float64(s.Latency) - mean)
		}
		dev /= float64(len(samples))
		fmt.Fprintf(&b, "%d. %s: %d samples, mean %.0f ms (mean deviation %.0f ms), highest ever %d ms.\n",
			i+1, l.Event, len(samples), mean, dev, l.Max)
		commands = commands || l.Event == "command" || l.Event == "fast-command"
	}
	if commands {
		b.WriteString("\nSlow commands: SLOWLOG GET names them and their arguments.")
		if slower := env.Config.Int("slowlog-log-slower-than"); slower < 0 || slower > threshold*1000 {
			fmt.Fprintf(&b, " The slow log does not keep commands as slow as these: CONFIG SET slowlog-log-slower-than %d.", threshold*1000)
		}
		b.WriteString("\nCommands over many elements (KEYS, SMEMBERS or LRANGE of a large key, DEL of a large value) take time in proportion.\n")
	}
	return b.String()
}

// LATENCY HISTOGRAM [command ...]: for each command that ran (all of them
// when none is named), its calls and cumulative latency distribution in
// microseconds.
func latencyHistogramCmd(c *Ctx) {
	hs := c.Env.Histograms
	var ids []int
	if len(c.Args) == 2 {
		for id := range command.Count() {
			ids = append(ids, id)
		}
	}
	// A container's name stands for its subcommands too.
	for _, a := range c.Args[2:] {
		if s := command.LookupName(a); s != nil {
			ids = append(ids, s.ID)
			for _, sub := range s.Subs {
				ids = append(ids, sub.ID)
			}
		}
	}
	type entry struct {
		name string
		h    *latency.Histogram
	}
	var with []entry
	for _, id := range ids {
		if h := hs.Of(id); h != nil {
			with = append(with, entry{command.ByID(id).Name, h})
		}
	}
	c.Out.Map(len(with))
	for _, e := range with {
		c.Out.BulkString(e.name)
		c.Out.Map(2)
		c.Out.BulkString("calls")
		c.Out.Int(int64(e.h.Count()))
		c.Out.BulkString("histogram_usec")
		steps := e.h.Cumulative()
		c.Out.Map(len(steps))
		for _, st := range steps {
			c.Out.Int(st.Micros)
			c.Out.Int(int64(st.Count))
		}
	}
}

// LATENCY HELP
func latencyHelpCmd(c *Ctx) {
	writeSubcommandHelp(c, "LATENCY", []string{
		"DOCTOR",
		"    The recorded latency spikes and what may help, in words.",
		"GRAPH <event>",
		"    The samples of an event class drawn as text.",
		"HISTORY <event>",
		"    The samples of an event class: Unix time and milliseconds, oldest first.",
		"LATEST",
		"    The newest sample and the highest ever of every event class.",
		"RESET [<event> ...]",
		"    Drop the samples of the event classes named, or of all of them.",
		"HISTOGRAM [<command> ...]",
		"    Calls and cumulative latency distribution (microseconds) of the",
		"    commands named, or of every command that ran.",
	})
}
