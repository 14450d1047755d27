package main

import (
	"net"
	"net/http"
	"net/http/pprof"
)

// pprofEnv names the environment variable that turns on the profiling
// endpoint: EMBER_PPROF=127.0.0.1:6060 serves net/http/pprof there. It is
// off by default, and an environment variable rather than a flag because
// ember-server's flags are redis-server's.
const pprofEnv = "EMBER_PPROF"

// startPprof serves the profiling endpoints on addr until the process
// exits, and returns the address it listens on.
func startPprof(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go http.Serve(ln, mux)
	return ln.Addr().String(), nil
}
