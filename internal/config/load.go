package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ember-kv/ember/resp"
)

// ErrHelp and ErrVersion ask the caller to print usage or the version.
var (
	ErrHelp    = errors.New("help requested")
	ErrVersion = errors.New("version requested")
)

// LoadArgs applies redis-server style arguments: an optional config file
// path (or "-" for standard input) followed by "--directive value ..."
// options, which override the file.
func (c *Config) LoadArgs(args []string) error {
	if len(args) == 1 {
		switch args[0] {
		case "-v", "--version":
			return ErrVersion
		case "-h", "--help":
			return ErrHelp
		}
	}
	var text strings.Builder
	i := 0
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") && args[0] != "-" {
		data, err := os.ReadFile(args[0])
		if err != nil {
			return fmt.Errorf("Fatal error, can't open config file '%s': %v", args[0], err)
		}
		text.Write(data)
		text.WriteByte('\n')
		i = 1
	}
	// "--name v1 v2 --other v" becomes "name v1 v2\nother v\n", as Redis does.
	first := true
	for ; i < len(args); i++ {
		a := args[i]
		if a == "-" {
			data, err := io.ReadAll(os.Stdin)
			if err != nil {
				return err
			}
			text.WriteByte('\n')
			text.Write(data)
			text.WriteByte('\n')
			continue
		}
		if strings.HasPrefix(a, "--") {
			if !first {
				text.WriteByte('\n')
			}
			text.WriteString(a[2:])
			first = false
			continue
		}
		text.WriteByte(' ')
		text.WriteString(quote(a))
	}
	text.WriteByte('\n')
	return c.LoadString(text.String())
}

func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// LoadString applies redis.conf text. An unknown or bad directive stops
// with Redis's "FATAL CONFIG FILE ERROR" message naming the line.
func (c *Config) LoadString(text string) error {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		argv, ok := resp.SplitArgs([]byte(line), nil)
		if !ok {
			return fatal(n, line, "Unbalanced quotes in configuration line")
		}
		if len(argv) == 0 {
			continue
		}
		name := strings.ToLower(string(argv[0]))
		d := c.Lookup(name)
		if d == nil {
			return fatal(n, line, "Bad directive or wrong number of arguments")
		}
		vals := make([]string, 0, len(argv)-1)
		for _, a := range argv[1:] {
			vals = append(vals, string(a))
		}
		if len(vals) == 0 && d.Kind != String {
			return fatal(n, line, "Bad directive or wrong number of arguments")
		}
		if err := c.Set(name, strings.Join(vals, " "), true); err != nil {
			return fatal(n, line, err.Error())
		}
	}
	return nil
}

func fatal(n int, line, msg string) error {
	return fmt.Errorf("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line %d\n>>> '%s'\n%s", n, line, msg)
}
