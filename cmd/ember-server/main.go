// Command ember-server runs Ember, a Redis 7.0-compatible server. It takes
// redis-server's arguments: an optional redis.conf path followed by
// "--directive value ..." overrides.
package main

import (
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/server"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cfg := config.New()
	if err := cfg.LoadArgs(args); err != nil {
		if err == config.ErrHelp {
			fmt.Print(usage)
			return 0
		}
		if err == config.ErrVersion {
			fmt.Printf("Ember server v=%s redis_version=%s\n", server.Version, server.RedisVersion)
			return 0
		}
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	logger := log.New(os.Stderr, "", log.LstdFlags)
	srv, err := server.New(cfg, server.Options{Logger: logger})
	if err != nil {
		logger.Print(err)
		return 1
	}
	if err := srv.Start(); err != nil {
		logger.Print(err)
		return 1
	}
	logger.Printf("Ember %s (Redis %s compatible) ready to accept connections on %s, port %s, pid %d",
		server.Version, server.RedisVersion, srv.Addr(), cfg.Get("port"), os.Getpid())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sig:
		logger.Printf("Received %s, shutting down", s)
	case <-srv.ShutdownRequested():
		logger.Print("SHUTDOWN requested by a client")
	}
	srv.Close()
	logger.Print("Ember is now ready to exit, bye bye...")
	return 0
}

const usage = `Usage: ember-server [/path/to/redis.conf] [options] [-]
       ember-server - (read config from stdin)
       ember-server -v or --version
       ember-server -h or --help

Examples:
       ember-server (run the server with default config)
       ember-server /etc/redis/6379.conf
       ember-server --port 7777
       ember-server --port 7777 --replicaof 127.0.0.1 8888
       ember-server /etc/myredis.conf --loglevel verbose -
       ember-server --maxmemory 256mb --maxmemory-policy allkeys-lru
`
