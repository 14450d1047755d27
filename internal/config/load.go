package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ember-kv/ember/resp"
)

// redisVersion is the version Redis's fatal configuration messages name.
const redisVersion = "7.0.15"

// ErrHelp and ErrVersion ask the caller to print usage or the version.
var (
	ErrHelp    = errors.New("help requested")
	ErrVersion = errors.New("version requested")
)

// LoadError is a bad configuration line, reported as Redis reports it.
type LoadError struct {
	Line int    // 1-based line number; 0 when the error is not about a line
	Text string // the line, trimmed
	Msg  string
}

func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\n", redisVersion)
	if e.Line > 0 {
		fmt.Fprintf(&b, "Reading the configuration file, at line %d\n", e.Line)
		fmt.Fprintf(&b, ">>> '%s'\n", e.Text)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// FileError is a configuration file that cannot be read.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string {
	return fmt.Sprintf("Fatal error, can't open config file '%s': %s", e.Path, Strerror(e.Err))
}

func (e *FileError) Unwrap() error { return e.Err }

// LoadArgs applies redis-server's arguments: an optional configuration
// file, then "--directive value ..." options and "-" (read standard input),
// which override the file. It returns ErrHelp or ErrVersion for -h/--help
// and -v/--version, a *FileError or a *LoadError.
func (c *Config) LoadArgs(args []string) error { return c.LoadArgsFrom(args, os.Stdin) }

// LoadArgsFrom is LoadArgs reading "-" from stdin.
func (c *Config) LoadArgsFrom(args []string, stdin io.Reader) error {
	if len(args) == 0 {
		return nil
	}
	switch args[0] {
	case "-v", "--version":
		return ErrVersion
	case "-h", "--help":
		return ErrHelp
	}
	j := 0
	if !strings.HasPrefix(args[0], "-") {
		abs, err := filepath.Abs(args[0])
		if err != nil {
			abs = args[0]
		}
		c.SetFile(abs)
		j = 1
	}
	options, fromStdin := optionsText(args, j)
	var text strings.Builder
	if f := c.File(); f != "" {
		data, err := readConfigFiles(f)
		if err != nil {
			return err
		}
		text.WriteString(data)
	}
	if fromStdin {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return err
		}
		text.Write(data)
	}
	text.WriteByte('\n')
	text.WriteString(options)
	return c.LoadString(text.String())
}

// optionsText turns "--name v1 v2 --other v" into "name v1 v2\nother v"
// as redis-server does: values are quoted, so that they stay one argument
// each, "--save" with no value means save "", and "-" as the first or
// last argument reads standard input.
func optionsText(args []string, j int) (string, bool) {
	var b strings.Builder
	fromStdin := false
	handledLast := true
	for ; j < len(args); j++ {
		a := args[j]
		switch {
		case a == "-" && (j == 0 || j == len(args)-1):
			fromStdin = true
		case handledLast && strings.HasPrefix(a, "--"):
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(a[2:])
			b.WriteByte(' ')
			parts, _ := resp.SplitArgs([]byte(a), nil)
			if len(parts) == 1 {
				handledLast = false
				last := j == len(args)-1
				if strings.EqualFold(a, "--save") {
					if last {
						b.WriteString(`""`)
					} else if strings.HasPrefix(args[j+1], "--") {
						b.WriteString(`""`)
						handledLast = true
					}
				} else if strings.EqualFold(a, "--sentinel") && !last && strings.HasPrefix(args[j+1], "--") {
					handledLast = true
				}
			} else {
				handledLast = true
			}
		default:
			b.WriteString(Repr(a))
			b.WriteByte(' ')
			handledLast = true
		}
	}
	return b.String(), fromStdin
}

// readConfigFiles reads a configuration file; a path with glob characters
// reads every matching file (none is not an error).
func readConfigFiles(path string) (string, error) {
	if strings.ContainsAny(path, "*?[") {
		matches, _ := filepath.Glob(path)
		var b strings.Builder
		for _, m := range matches {
			data, err := os.ReadFile(m)
			if err != nil {
				return "", &FileError{Path: m, Err: err}
			}
			b.Write(data)
		}
		return b.String(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", &FileError{Path: path, Err: err}
	}
	return string(data), nil
}

// Directives Redis 7.0 still accepts and ignores.
var deprecatedDirectives = map[string]bool{
	"list-max-ziplist-entries": true, "list-max-ziplist-value": true, "lua-replicate-commands": true,
}

// LoadString applies redis.conf text. An unknown or bad directive stops
// with a *LoadError naming the line, as Redis's "FATAL CONFIG FILE ERROR".
func (c *Config) LoadString(text string) error {
	c.mu.Lock()
	c.loading = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.loading = false
		c.mu.Unlock()
	}()
	lines := strings.Split(text, "\n")
	for i, raw := range lines {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		fail := func(msg string) error { return &LoadError{Line: i + 1, Text: line, Msg: msg} }
		parts, ok := resp.SplitArgs([]byte(line), nil)
		if !ok {
			return fail("Unbalanced quotes in configuration line")
		}
		if len(parts) == 0 {
			continue
		}
		argv := make([]string, len(parts))
		for k, p := range parts {
			argv[k] = string(p)
		}
		name := strings.ToLower(argv[0])
		if e, ok := byName[name]; ok {
			d := e.d
			if d.Flags&MultiArg == 0 && len(argv) != 2 {
				return fail("wrong number of arguments")
			}
			vals := argv[1:]
			if d.Flags&MultiArg != 0 && len(argv) == 2 && argv[1] != "" {
				// One argument holding several: --save "3600 1 300 100".
				sub, ok := resp.SplitArgs([]byte(argv[1]), nil)
				vals = make([]string, 0, len(sub))
				if ok {
					for _, s := range sub {
						vals = append(vals, string(s))
					}
				}
			}
			if err := c.apply(d, vals); err != nil {
				return fail(err.Error())
			}
			continue
		}
		if deprecatedDirectives[name] && len(argv) == 2 {
			continue
		}
		if name == "include" && len(argv) == 2 {
			data, err := readConfigFiles(argv[1])
			if err != nil {
				return err
			}
			// As in Redis, reading the included file ends the
			// file-reading state: later save lines replace, not add.
			if err := c.LoadString(data); err != nil {
				return err
			}
			continue
		}
		return fail("Bad directive or wrong number of arguments")
	}
	if f := c.Get("logfile"); f != "" {
		lf, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return &LoadError{Msg: "Can't open the log file: " + Strerror(err)}
		}
		lf.Close()
	}
	if c.Bool("cluster-enabled") && c.Get("replicaof") != "" {
		return &LoadError{Msg: "replicaof directive not allowed in cluster mode"}
	}
	return nil
}
