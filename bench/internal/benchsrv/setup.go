package benchsrv

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// Main runs a measurement program: run gets the command-line arguments
// and a context cancelled by SIGINT or SIGTERM, and its result is the
// exit code.
func Main(run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Run parses args with parse and does work with the options. It returns
// the exit code: 0 when work succeeds or -h was asked for, 2 when the
// flags are wrong, 1 when work fails; errors go to stderr after "name:".
func Run[O any](ctx context.Context, name string, args []string, stdout, stderr io.Writer,
	parse func(args []string, stderr io.Writer) (O, error),
	work func(ctx context.Context, o O, stdout, stderr io.Writer) error) int {
	o, err := parse(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, name+":", err)
		return 2
	}
	if err := work(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, name+":", err)
		return 1
	}
	return 0
}

// Flags are the flags the side-by-side programs share.
type Flags struct {
	Pin        bool
	EmberProcs int
	JSONPath   string
	Root       string
	EmberBin   string
}

// FlagSet is a program's flag set, reporting to stderr, with the shared
// flags in f: -pin (described by pinUsage), -ember-procs, -json (default
// jsonPath, described by jsonUsage), -root and -ember-bin.
func (f *Flags) FlagSet(name string, stderr io.Writer, pinUsage, jsonPath, jsonUsage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&f.Pin, "pin", true, pinUsage)
	fs.IntVar(&f.EmberProcs, "ember-procs", 1, "GOMAXPROCS for ember-server (0: leave unset)")
	fs.StringVar(&f.JSONPath, "json", jsonPath, jsonUsage)
	fs.StringVar(&f.Root, "root", "", "module root (default: found from the working directory)")
	fs.StringVar(&f.EmberBin, "ember-bin", "", "use this ember-server binary instead of building one")
	return fs
}

// Setup is the Setup these flags ask for.
func (f *Flags) Setup(prefix string) Setup {
	return Setup{Prefix: prefix, Root: f.Root, EmberBin: f.EmberBin, Pin: f.Pin}
}

// Parse parses args and refuses arguments left after the flags.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return nil
}

// Setup is what a program needs before it starts servers.
type Setup struct {
	Prefix   string // of the scratch directory's name ("ember-conns-")
	Root     string // module root; "" finds it from the working directory
	RedisBin string // "" looks redis-server up on PATH
	EmberBin string // "" builds ./cmd/ember-server into the scratch directory
	// Pin splits the CPUs between the servers and the load (see Pin),
	// saying on stderr why when it cannot.
	Pin bool
	// FileLimit, when set, gets the open-files limit once it was raised;
	// an error from it ends the setup.
	FileLimit func(limit uint64) error
}

// Env is what Prepare set up.
type Env struct {
	Root, Tmp          string
	RedisBin, EmberBin string
	// ServerCPUs and LoadCPUs are where the servers and the load run;
	// both nil when not pinned.
	ServerCPUs, LoadCPUs []int
}

// ModuleRoot is root, or when it is empty the module root found from the
// working directory.
func ModuleRoot(root string) (string, error) {
	if root != "" {
		return root, nil
	}
	return FindRoot()
}

// Prepare finds redis-server and the module root, raises the open-files
// limit, makes the scratch directory, builds ember-server there unless
// s.EmberBin names one, and pins when asked to. Close removes what it made.
func (s Setup) Prepare(ctx context.Context, stderr io.Writer) (*Env, error) {
	e := &Env{RedisBin: s.RedisBin, EmberBin: s.EmberBin}
	var err error
	if e.RedisBin == "" {
		if e.RedisBin, err = exec.LookPath("redis-server"); err != nil {
			return nil, ErrMissingRedis
		}
	}
	if e.Root, err = ModuleRoot(s.Root); err != nil {
		return nil, err
	}
	limit := RaiseFileLimit()
	if s.FileLimit != nil {
		if err := s.FileLimit(limit); err != nil {
			return nil, err
		}
	}
	if e.Tmp, err = os.MkdirTemp("", s.Prefix); err != nil {
		return nil, err
	}
	if e.EmberBin == "" {
		e.EmberBin = filepath.Join(e.Tmp, "ember-server")
		fmt.Fprintln(stderr, "building ember-server ...")
		if err := BuildEmber(ctx, e.Root, e.EmberBin); err != nil {
			e.Close()
			return nil, err
		}
	}
	if s.Pin {
		server, load, why := Pin()
		if why != "" {
			fmt.Fprintln(stderr, "pinning off:", why)
		} else {
			e.ServerCPUs, e.LoadCPUs = server, load
		}
	}
	return e, nil
}

// Close removes the scratch directory.
func (e *Env) Close() { os.RemoveAll(e.Tmp) }

// ServerCPUList is ServerCPUs for taskset -c; "" when not pinned.
func (e *Env) ServerCPUList() string { return FormatCPUList(e.ServerCPUs) }

// StartRedis starts redis-server (see Start).
func (e *Env) StartRedis(ctx context.Context, o Options) (*Server, error) {
	return Start(ctx, "redis", e.RedisBin, e.Tmp, o)
}

// StartEmber starts ember-server (see Start) with GOMAXPROCS=procs when
// procs > 0 and, when pprof is set, its profiling endpoint (EMBER_PPROF)
// on a free port, whose address it returns.
func (e *Env) StartEmber(ctx context.Context, procs int, pprof bool, o Options) (*Server, string, error) {
	env := append([]string(nil), o.Env...)
	if procs > 0 {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	pprofAddr := ""
	if pprof {
		port, err := FreePort()
		if err != nil {
			return nil, "", err
		}
		pprofAddr = "127.0.0.1:" + strconv.Itoa(port)
		env = append(env, "EMBER_PPROF="+pprofAddr)
	}
	o.Env = env
	s, err := Start(ctx, "ember", e.EmberBin, e.Tmp, o)
	if err != nil {
		return nil, "", err
	}
	return s, pprofAddr, nil
}

// OneAtATime starts redis-server, measures it and stops it, then does the
// same with ember-server (GOMAXPROCS=procs when procs > 0, and its
// profiling endpoint, whose address measure gets; "" for redis-server).
// An error from measure is prefixed with the server's name.
func OneAtATime[R any](ctx context.Context, e *Env, procs int, o Options,
	measure func(s *Server, pprofAddr string) (R, error)) (redis, ember R, err error) {
	for _, name := range []string{"redis", "ember"} {
		var s *Server
		pprofAddr := ""
		if name == "redis" {
			s, err = e.StartRedis(ctx, o)
		} else {
			s, pprofAddr, err = e.StartEmber(ctx, procs, true, o)
		}
		if err != nil {
			return redis, ember, err
		}
		res, err := measure(s, pprofAddr)
		s.Stop()
		if err != nil {
			return redis, ember, fmt.Errorf("%s: %v", name, err)
		}
		if name == "redis" {
			redis = res
		} else {
			ember = res
		}
	}
	return redis, ember, nil
}

// Header is what every report starts with.
type Header struct {
	Started      string `json:"started"`
	RedisVersion string `json:"redis_version"`
	EmberVersion string `json:"ember_version"`
}

// Header is the report header for now and the two binaries.
func (e *Env) Header() Header {
	return Header{Started: time.Now().UTC().Format(time.RFC3339), RedisVersion: Version(e.RedisBin),
		EmberVersion: Version(e.EmberBin)}
}

// Host is the machine's CPU, as reports give it.
type Host struct {
	CPUModel string `json:"cpu_model"`
	CPUs     int    `json:"cpus"`
}

// ThisHost describes this machine.
func ThisHost() Host { return Host{CPUModel: CPUModel(), CPUs: runtime.NumCPU()} }

// WriteFile creates path (and its directory) and fills it with write.
func WriteFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// JSON writes v indented, with a final newline.
func JSON(v any) func(io.Writer) error {
	return func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
}

// Output writes one of a program's output files: path relative to root
// unless absolute, nothing when path is empty; it says "wrote" on stderr.
func Output(root, path string, write func(io.Writer) error, stderr io.Writer) error {
	if path == "" {
		return nil
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	if err := WriteFile(path, write); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "wrote", path)
	return nil
}

// Ratio is a/b, 0 when b is not positive.
func Ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// Sleep waits d or until ctx ends, whose error it then returns.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
