// Package config holds Ember's configuration: the redis.conf directives it
// knows, their defaults, parsing (config file and command line, as
// redis-server accepts them) and the CONFIG GET/SET view.
package config

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Kind is how a directive's value is parsed and shown.
type Kind uint8

// Directive kinds.
const (
	String Kind = iota
	Int
	Bool   // yes/no
	Memory // bytes, with Redis's units (1k, 5gb, ...)
	Enum
	Special // custom parser (save, client-output-buffer-limit, ...)
)

// Directive describes one configuration directive.
type Directive struct {
	Name    string
	Aliases []string
	Kind    Kind
	Default string
	// Min and Max bound Int and Memory values.
	Min, Max int64
	// Enum lists the accepted values of an Enum directive.
	Enum []string
	// Immutable directives can only be set at start-up.
	Immutable bool
	// Sensitive values are redacted in logs.
	Sensitive bool
	// Normalize validates a value and returns its canonical CONFIG GET form;
	// nil uses the kind's default rules.
	Normalize func(v string) (string, error)
}

// Config is a live configuration. It is safe for concurrent use.
type Config struct {
	mu     sync.RWMutex
	dirs   map[string]*Directive // by name and alias, lower-case
	values map[string]string     // canonical name → canonical value
	// watchers are called after a successful Set of their directive.
	watchers map[string][]func(value string)
}

// ErrUnknown is returned for a directive that does not exist.
var ErrUnknown = errors.New("unknown directive")

// New returns a configuration holding every directive at its default.
func New() *Config {
	c := &Config{
		dirs:     make(map[string]*Directive),
		values:   make(map[string]string),
		watchers: make(map[string][]func(string)),
	}
	for _, d := range directives {
		c.dirs[d.Name] = d
		for _, a := range d.Aliases {
			c.dirs[a] = d
		}
		v, err := normalize(d, d.Default)
		if err != nil {
			panic("config: bad default for " + d.Name + ": " + err.Error())
		}
		c.values[d.Name] = v
	}
	return c
}

// Lookup finds a directive by name or alias, case-insensitively.
func (c *Config) Lookup(name string) *Directive {
	return c.dirs[strings.ToLower(name)]
}

// Get returns a directive's current value ("" when unknown).
func (c *Config) Get(name string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d := c.dirs[strings.ToLower(name)]
	if d == nil {
		return ""
	}
	return c.values[d.Name]
}

// Int returns an Int or Memory directive's value.
func (c *Config) Int(name string) int64 {
	n, _ := strconv.ParseInt(c.Get(name), 10, 64)
	return n
}

// Bool returns a Bool directive's value.
func (c *Config) Bool(name string) bool { return c.Get(name) == "yes" }

// Set validates and stores a value. startup allows immutable directives.
func (c *Config) Set(name, value string, startup bool) error {
	d := c.Lookup(name)
	if d == nil {
		return ErrUnknown
	}
	if d.Immutable && !startup {
		return errImmutable
	}
	v, err := normalize(d, value)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.values[d.Name] = v
	ws := c.watchers[d.Name]
	c.mu.Unlock()
	for _, w := range ws {
		w(v)
	}
	return nil
}

var errImmutable = errors.New("can't set immutable config")

// IsImmutable reports whether err came from setting an immutable directive.
func IsImmutable(err error) bool { return err == errImmutable }

// Watch calls fn with the new value after every successful Set of name.
func (c *Config) Watch(name string, fn func(value string)) {
	d := c.Lookup(name)
	if d == nil {
		panic("config: watch of unknown directive " + name)
	}
	c.mu.Lock()
	c.watchers[d.Name] = append(c.watchers[d.Name], fn)
	c.mu.Unlock()
}

// Names returns every canonical directive name, sorted.
func (c *Config) Names() []string {
	out := make([]string, 0, len(directives))
	for _, d := range directives {
		out = append(out, d.Name)
	}
	sort.Strings(out)
	return out
}

func normalize(d *Directive, v string) (string, error) {
	if d.Normalize != nil {
		return d.Normalize(v)
	}
	switch d.Kind {
	case Bool:
		switch strings.ToLower(v) {
		case "yes":
			return "yes", nil
		case "no":
			return "no", nil
		}
		return "", errors.New("argument must be 'yes' or 'no'")
	case Int:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", errors.New("argument couldn't be parsed into an integer")
		}
		if err := bounds(d, n); err != nil {
			return "", err
		}
		return strconv.FormatInt(n, 10), nil
	case Memory:
		n, err := ParseMemory(v)
		if err != nil {
			return "", err
		}
		if err := bounds(d, n); err != nil {
			return "", err
		}
		return strconv.FormatInt(n, 10), nil
	case Enum:
		lv := strings.ToLower(v)
		for _, e := range d.Enum {
			if e == lv {
				return e, nil
			}
		}
		return "", fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(d.Enum, ", "))
	}
	return v, nil
}

func bounds(d *Directive, n int64) error {
	if d.Min == 0 && d.Max == 0 {
		return nil
	}
	if n < d.Min || n > d.Max {
		return fmt.Errorf("argument must be between %d and %d inclusive", d.Min, d.Max)
	}
	return nil
}

// ParseMemory parses a memory amount as Redis does: a number with an
// optional unit (b, k, kb, m, mb, g, gb; k = 1000, kb = 1024), case-insensitive.
func ParseMemory(s string) (int64, error) {
	ls := strings.ToLower(s)
	units := []struct {
		suffix string
		mul    int64
	}{
		{"kb", 1024}, {"mb", 1024 * 1024}, {"gb", 1024 * 1024 * 1024},
		{"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1},
	}
	mul := int64(1)
	num := ls
	for _, u := range units {
		if strings.HasSuffix(ls, u.suffix) {
			mul = u.mul
			num = ls[:len(ls)-len(u.suffix)]
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || num == "" || num[0] == '+' {
		return 0, errors.New("argument must be a memory value")
	}
	if n != 0 && (n*mul)/mul != n {
		return 0, errors.New("argument must be a memory value")
	}
	return n * mul, nil
}
