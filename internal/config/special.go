package config

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/ember-kv/ember/internal/notify"
)

// The parsers of the directives with their own syntax, and the extra
// checks some plain directives make. Each mirrors what redis-server
// accepts and the message it gives when it does not.

var (
	dirSpecial         = specialOps{parse: parseDir, rewrite: rewriteDir}
	saveSpecial        = specialOps{parse: parseSave, rewrite: rewriteSave}
	obufSpecial        = specialOps{parse: parseObuf, rewrite: rewriteObuf}
	oomValuesSpecial   = specialOps{parse: parseOOMValues, rewrite: rewriteOOMValues}
	notifySpecial      = specialOps{parse: parseNotify, number: notifyClasses, rewrite: rewriteNotify}
	bindSpecial        = specialOps{parse: parseBind, rewrite: rewriteBind}
	replicaofSpecial   = specialOps{parse: parseReplicaof, rewrite: rewriteReplicaof}
	percentilesSpecial = specialOps{parse: parsePercentiles, rewrite: rewritePercentiles}
)

var errWrongArgs = errors.New("wrong number of arguments")

// parseDir checks that the directory exists and returns its absolute path
// (relative paths are taken from the current dir). Unlike Redis, Ember does
// not change the process's working directory: it is an embeddable library.
func parseDir(c *Config, argv []string, _ bool) (string, error) {
	if len(argv) != 1 {
		return "", errWrongArgs
	}
	p := argv[0]
	if !filepath.IsAbs(p) {
		base := c.Get("dir")
		if base == "" {
			base, _ = os.Getwd()
		}
		p = filepath.Join(base, p)
	}
	st, err := os.Stat(p)
	if err != nil {
		return "", errors.New(Strerror(err))
	}
	if !st.IsDir() {
		return "", errors.New(Strerror(syscall.ENOTDIR))
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	return filepath.Clean(p), nil
}

// Strerror renders an error the way C's strerror does ("No such file or
// directory"), for messages that must match Redis's.
func Strerror(err error) string {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
	case errors.Is(err, fs.ErrNotExist):
		errno = syscall.ENOENT
	case errors.Is(err, fs.ErrPermission):
		errno = syscall.EACCES
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return capitalize(pe.Err.Error())
		}
		return capitalize(err.Error())
	}
	return capitalize(errno.Error())
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// strtollFull is strtoll(s, &end, 10) where *end must be '\0': leading
// white space and a sign are allowed, overflow saturates, and an empty
// string is 0.
func strtollFull(s string) (int64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	over := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if !over {
			v = v*10 + uint64(s[i]-'0')
			if v > 1<<63 {
				over = true
			}
		}
		i++
	}
	if i == start {
		return 0, s == ""
	}
	if i != len(s) {
		return 0, false
	}
	switch {
	case neg && (over || v > 1<<63):
		return math.MinInt64, true
	case neg:
		return -int64(v), true
	case over || v > 1<<63-1:
		return math.MaxInt64, true
	}
	return int64(v), true
}

// saveParams reads the canonical "seconds changes ..." text.
func saveParams(v string) [][2]int64 {
	f := strings.Fields(v)
	out := make([][2]int64, 0, len(f)/2)
	for i := 0; i+1 < len(f); i += 2 {
		s, _ := strconv.ParseInt(f[i], 10, 64)
		n, _ := strconv.ParseInt(f[i+1], 10, 64)
		out = append(out, [2]int64{s, n})
	}
	return out
}

func formatSave(params [][2]int64) string {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d %d", p[0], p[1])
	}
	return b.String()
}

// parseSave: pairs of seconds (>= 1) and changes (>= 0); "" alone means no
// save points. In a configuration file, the first save line replaces the
// defaults and later ones add to it; CONFIG SET replaces.
func parseSave(c *Config, argv []string, loading bool) (string, error) {
	reset := false
	if len(argv) == 1 && argv[0] == "" {
		reset = true
		argv = nil
	}
	errSave := errors.New("Invalid save parameters")
	if len(argv)%2 != 0 {
		return "", errSave
	}
	vals := make([]int64, len(argv))
	for j, a := range argv {
		v, ok := strtollFull(a)
		if !ok || (j%2 == 0 && v < 1) || (j%2 == 1 && v < 0) {
			return "", errSave
		}
		vals[j] = v
	}
	var params [][2]int64
	if loading && !reset {
		if c.saveLoaded {
			params = saveParams(c.Get("save"))
		}
		c.saveLoaded = true
	} else if loading {
		c.saveLoaded = true
	}
	for j := 0; j < len(vals); j += 2 {
		// Redis keeps the number of changes in a C int.
		params = append(params, [2]int64{vals[j], int64(int32(vals[j+1]))})
	}
	return formatSave(params), nil
}

// Client classes of client-output-buffer-limit, in Redis's order.
var obufClasses = []string{"normal", "slave", "pubsub"}

type obufLimit struct {
	hard, soft uint64
	secs       int64
}

func obufLimits(v string) [3]obufLimit {
	var out [3]obufLimit
	f := strings.Fields(v)
	for i := 0; i+3 < len(f); i += 4 {
		cl := obufClass(f[i])
		if cl < 0 {
			continue
		}
		h, _ := strconv.ParseUint(f[i+1], 10, 64)
		s, _ := strconv.ParseUint(f[i+2], 10, 64)
		n, _ := strconv.ParseInt(f[i+3], 10, 64)
		out[cl] = obufLimit{h, s, n}
	}
	return out
}

func obufClass(name string) int {
	switch strings.ToLower(name) {
	case "normal":
		return 0
	case "slave", "replica":
		return 1
	case "pubsub":
		return 2
	}
	return -1
}

func formatObuf(l [3]obufLimit) string {
	var b strings.Builder
	for i, cl := range obufClasses {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s %d %d %d", cl, l[i].hard, l[i].soft, l[i].secs)
	}
	return b.String()
}

// parseObuf: groups of <class> <hard> <soft> <soft seconds>; the classes
// not named keep their limits.
func parseObuf(c *Config, argv []string, _ bool) (string, error) {
	if len(argv)%4 != 0 {
		return "", errors.New("Wrong number of arguments in buffer limit configuration.")
	}
	limits := obufLimits(c.Get("client-output-buffer-limit"))
	var next [3]obufLimit
	var set [3]bool
	for j := 0; j < len(argv); j += 4 {
		cl := obufClass(argv[j])
		if cl < 0 {
			return "", errors.New("Invalid client class specified in buffer limit configuration.")
		}
		hard, okH := memToUint(argv[j+1])
		soft, okS := memToUint(argv[j+2])
		secs, okN := strtollFull(argv[j+3])
		secs = int64(int32(secs)) // Redis keeps the seconds in a C int
		if !okH || !okS || !okN || secs < 0 {
			return "", errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		next[cl] = obufLimit{hard, soft, secs}
		set[cl] = true
	}
	for i := range limits {
		if set[i] {
			limits[i] = next[i]
		}
	}
	return formatObuf(limits), nil
}

func parseOOMValues(_ *Config, argv []string, _ bool) (string, error) {
	if len(argv) != 3 {
		return "", errWrongArgs
	}
	out := make([]string, 3)
	for i, a := range argv {
		v, ok := strtollFull(a)
		if !ok || v < -2000 || v > 2000 {
			return "", errors.New("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
		}
		out[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(out, " "), nil
}

func parseNotify(_ *Config, argv []string, _ bool) (string, error) {
	if len(argv) != 1 {
		return "", errWrongArgs
	}
	flags, ok := notify.Parse(argv[0])
	if !ok {
		return "", errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
	}
	return flags.String(), nil
}

// notifyClasses is the notify.Class bits of notify-keyspace-events (Int),
// which keep "n" even where the shown form, as Redis's, collapses to "A".
func notifyClasses(argv []string) int64 {
	c, _ := notify.Parse(argv[0])
	return int64(c)
}

func parseBind(_ *Config, argv []string, _ bool) (string, error) {
	if len(argv) > 16 {
		return "", errors.New("Too many bind addresses specified.")
	}
	if len(argv) == 1 && argv[0] == "" {
		argv = nil
	}
	return strings.Join(argv, " "), nil
}

func parseReplicaof(_ *Config, argv []string, _ bool) (string, error) {
	if len(argv) != 2 {
		return "", errWrongArgs
	}
	if strings.EqualFold(argv[0], "no") && strings.EqualFold(argv[1], "one") {
		return "", nil
	}
	port, ok := strtollFull(argv[1])
	if !ok || port < 0 || port > 65535 {
		return "", errors.New("Invalid master port")
	}
	return argv[0] + " " + strconv.FormatInt(port, 10), nil
}

// parsePercentiles: percentiles between 0 and 100; "" alone means none.
func parsePercentiles(_ *Config, argv []string, _ bool) (string, error) {
	if len(argv) == 1 && argv[0] == "" {
		argv = nil
	}
	out := make([]string, len(argv))
	for i, a := range argv {
		v, ok := string2d(a)
		if !ok {
			return "", errors.New("Invalid latency-tracking-info-percentiles parameters")
		}
		if v > 100 || v < 0 {
			return "", errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
		}
		out[i] = trimDouble(strconv.FormatFloat(v, 'f', 6, 64))
	}
	return strings.Join(out, " "), nil
}

// string2d is Redis's strict double parser (strtod over the whole string):
// no leading space, not NaN, no overflow or underflow to zero. Like strtod
// it takes hexadecimal numbers ("0x10", "0x1.8p1").
func string2d(s string) (float64, bool) {
	if s == "" || isCSpace(s[0]) || strings.ContainsRune(s, '_') {
		return 0, false
	}
	t := strings.TrimLeft(s, "+-")
	hex := len(t) > 2 && t[0] == '0' && (t[1]|0x20) == 'x'
	in := s
	if hex && !strings.ContainsAny(t, "pP") {
		in += "p0"
	}
	v, err := strconv.ParseFloat(in, 64)
	if err != nil || math.IsNaN(v) {
		return 0, false
	}
	if v == 0 {
		// An underflow to zero is a range error for strtod.
		mant := t
		digits := "123456789"
		if hex {
			mant, digits = t[2:], "123456789abcdefABCDEF"
			if i := strings.IndexAny(mant, "pP"); i >= 0 {
				mant = mant[:i]
			}
		} else if i := strings.IndexAny(mant, "eE"); i >= 0 {
			mant = mant[:i]
		}
		if strings.ContainsAny(mant, digits) {
			return 0, false
		}
	}
	return v, true
}

// trimDouble drops the trailing zeros (and point) of a "%f" rendering.
func trimDouble(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// Checks of plain directives.

func validActiveDefrag(_ *Config, _ string, n int64) error {
	if n == 1 {
		// Ember has no active defragmentation; Redis built without its
		// bundled jemalloc (as Debian's) refuses the same way.
		return errors.New("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution")
	}
	return nil
}

func isBaseName(p string) bool { return !strings.ContainsAny(p, "/\\") }

func validDBFilename(_ *Config, v string, _ int64) error {
	if !isBaseName(v) {
		return errors.New("dbfilename can't be a path, just a filename")
	}
	return nil
}

func validAOFFilename(_ *Config, v string, _ int64) error {
	if v == "" {
		return errors.New("appendfilename can't be empty")
	}
	if !isBaseName(v) {
		return errors.New("appendfilename can't be a path, just a filename")
	}
	return nil
}

func validAOFDirname(_ *Config, v string, _ int64) error {
	if v == "" {
		return errors.New("appenddirname can't be empty")
	}
	if !isBaseName(v) {
		return errors.New("appenddirname can't be a path, just a dirname")
	}
	return nil
}

func validShutdownFlags(_ *Config, _ string, n int64) error {
	if n&1 != 0 && n&2 != 0 {
		return errors.New("shutdown options SAVE and NOSAVE can't be used simultaneously")
	}
	return nil
}

func validHostname(_ *Config, v string, _ int64) error {
	if len(v) >= 256 {
		return errors.New("Hostnames must be less than 256 characters")
	}
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '.') {
			return errors.New("Hostnames may only contain alphanumeric characters, hyphens or dots")
		}
	}
	return nil
}

// validProcTitle expands the template as Redis does (an empty title) and
// refuses unknown variables, unterminated ones and an empty result.
func validProcTitle(c *Config, v string, _ int64) error {
	bad := errors.New("template format is invalid or contains unknown variables")
	var b strings.Builder
	p := v
	for p != "" {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			b.WriteString(p)
			break
		}
		b.WriteString(p[:i])
		p = p[i+1:]
		if p == "" {
			return bad
		}
		if p[0] == '{' {
			b.WriteByte('{')
			p = p[1:]
			continue
		}
		j := strings.IndexByte(p, '}')
		if j < 0 {
			return bad
		}
		val, ok := procTitleVar(c, p[:j])
		if !ok {
			return bad
		}
		b.WriteString(val)
		p = p[j+1:]
	}
	if strings.Trim(b.String(), " ") == "" {
		return bad
	}
	return nil
}

func procTitleVar(c *Config, name string) (string, bool) {
	port, tls := c.Get("port"), c.Get("tls-port")
	switch name {
	case "title", "server-mode":
		return "", true
	case "listen-addr":
		if port != "0" || tls != "0" {
			return "*:" + port, true
		}
		return "unixsocket:" + c.Get("unixsocket"), true
	case "config-file":
		if f := c.File(); f != "" {
			return f, true
		}
		return "-", true
	case "port":
		return port, true
	case "tls-port":
		return tls, true
	case "unixsocket":
		return c.Get("unixsocket"), true
	}
	return "", false
}
