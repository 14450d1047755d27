// Package ember embeds a Redis 7.0-compatible server in a Go program.
//
//	srv, err := ember.Start(ember.Config{})
//	if err != nil { ... }
//	defer srv.Close()
//	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
//
// The embedded server is the same one cmd/ember-server runs: every client
// that speaks RESP can talk to it. For tests, embertest.Run starts one and
// registers its shutdown.
package ember

import (
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/server"
)

// Version is Ember's version.
const Version = server.Version

// Clock tells the time. Tests inject one to expire keys without sleeping.
type Clock interface{ Now() time.Time }

// Config configures an embedded server. The zero value listens on a free
// loopback port with Redis's defaults.
type Config struct {
	// Addr is the listen address; "" means "127.0.0.1:0", a free port.
	Addr string
	// Password sets requirepass.
	Password string
	// Directives are any other redis.conf directives, e.g.
	// {"maxmemory": "256mb"}.
	Directives map[string]string
	// Clock replaces the system clock for expiry and TIME.
	Clock Clock
	// Log receives the server log; nil discards it.
	Log io.Writer
}

// Server is a running embedded server.
type Server struct {
	srv *server.Server
}

// Start starts a server that serves until Close.
func Start(cfg Config) (*Server, error) {
	c := config.New()
	for name, v := range cfg.Directives {
		if err := c.Set(name, v, true); err != nil {
			return nil, fmt.Errorf("ember: directive %q: %w", name, err)
		}
	}
	if cfg.Password != "" {
		if err := c.Set("requirepass", cfg.Password, true); err != nil {
			return nil, err
		}
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ember: %w", err)
	}
	_ = c.Set("port", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), true)
	w := cfg.Log
	if w == nil {
		w = io.Discard
	}
	// CONFIG SET port moves the listener to the new port of the same host;
	// CONFIG SET bind, to the addresses it names.
	host, defaultBind := ln.Addr().(*net.TCPAddr).IP.String(), config.Lookup("bind").Default
	opts := server.Options{Logger: log.New(w, "", log.LstdFlags), Listeners: []net.Listener{ln},
		ListenTCP: func(bind []string, port int) ([]net.Listener, error) {
			if strings.Join(bind, " ") == defaultBind {
				bind = []string{host}
			}
			return server.ListenTCP(bind, port)
		}}
	if cfg.Clock != nil {
		opts.Clock = cfg.Clock
	}
	s, err := server.New(c, opts)
	if err != nil {
		ln.Close()
		return nil, err
	}
	if err := s.Start(); err != nil {
		ln.Close()
		return nil, err
	}
	return &Server{srv: s}, nil
}

// Addr is the "host:port" the server listens on.
func (s *Server) Addr() string { return s.srv.Addr().String() }

// Close disconnects every client and stops the server.
func (s *Server) Close() error { return s.srv.Close() }
