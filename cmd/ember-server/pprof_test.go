package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var pprofLine = regexp.MustCompile(`Profiling endpoint \(net/http/pprof\) at (http://\S+/debug/pprof/)`)

// TestPprofEndpoint: EMBER_PPROF turns the profiling endpoint on; without
// it, nothing but the server listens.
func TestPprofEndpoint(t *testing.T) {
	t.Setenv(pprofEnv, "127.0.0.1:0")
	p := start(t, nil, "--port", strconv.Itoa(freePort(t)), "--bind", "127.0.0.1")
	line := p.waitLine(t, pprofLine)
	url := pprofLine.FindStringSubmatch(line)[1]
	p.waitLine(t, readyLine)
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url + "goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile:") {
		t.Fatalf("GET %s: %d %.200q", url, resp.StatusCode, body)
	}
}

func TestPprofOffByDefault(t *testing.T) {
	t.Setenv(pprofEnv, "")
	p := start(t, nil, "--port", strconv.Itoa(freePort(t)), "--bind", "127.0.0.1")
	p.waitLine(t, readyLine)
	if strings.Contains(p.logText(), "Profiling endpoint") {
		t.Fatalf("profiling endpoint started without %s:\n%s", pprofEnv, p.logText())
	}
}
