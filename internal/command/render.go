package command

import (
	"bytes"
	"strings"

	"github.com/ember-kv/ember/resp"
)

// infoFlags are the flags COMMAND INFO shows, in its order. may_replicate
// is hidden, as in Redis, and Ember's own flags are never shown.
var infoFlags = []struct {
	flag Flag
	name string
}{
	{Write, "write"}, {ReadOnly, "readonly"}, {DenyOOM, "denyoom"},
	{Module, "module"}, {Admin, "admin"}, {PubSub, "pubsub"},
	{NoScript, "noscript"}, {Blocking, "blocking"}, {Loading, "loading"},
	{Stale, "stale"}, {SkipMonitor, "skip_monitor"}, {SkipSlowlog, "skip_slowlog"},
	{Asking, "asking"}, {Fast, "fast"}, {NoAuth, "no_auth"},
	{NoMandatoryKeys, "no_mandatory_keys"}, {NoAsyncLoading, "no_async_loading"}, {NoMulti, "no_multi"},
	{MovableKeys, "movablekeys"}, {AllowBusy, "allow_busy"},
}

// WriteInfo writes s as one COMMAND INFO entry: name, arity, flags, the
// legacy first/last/step key positions, ACL categories, tips, key specs
// and subcommands.
func WriteInfo(w *resp.Writer, s *Spec) {
	w.Array(10)
	w.BulkString(s.Name)
	w.Int(int64(s.Arity))
	n := 0
	for _, f := range infoFlags {
		if s.Flags&f.flag != 0 {
			n++
		}
	}
	w.Set(n)
	for _, f := range infoFlags {
		if s.Flags&f.flag != 0 {
			w.Simple(f.name)
		}
	}
	first, last, step := s.LegacyRange()
	w.Int(int64(first))
	w.Int(int64(last))
	w.Int(int64(step))
	cats := s.Categories()
	n = 0
	for i := range CategoryNames {
		if cats&(1<<i) != 0 {
			n++
		}
	}
	w.Set(n)
	for i, name := range CategoryNames {
		if cats&(1<<i) != 0 {
			w.Simple("@" + name)
		}
	}
	w.Set(len(s.Tips))
	for _, t := range s.Tips {
		w.BulkString(t)
	}
	w.Set(len(s.KeySpecs))
	for i := range s.KeySpecs {
		writeKeySpec(w, &s.KeySpecs[i])
	}
	if len(s.Subs) == 0 {
		w.Set(0)
		return
	}
	w.Array(len(s.Subs))
	for _, sub := range s.Subs {
		WriteInfo(w, sub)
	}
}

func writeKeySpec(w *resp.Writer, k *KeySpec) {
	if k.Notes != "" {
		w.Map(4)
		w.BulkString("notes")
		w.BulkString(k.Notes)
	} else {
		w.Map(3)
	}
	w.BulkString("flags")
	WriteKeyFlags(w, k.Flags)

	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	switch {
	case k.Index > 0:
		w.BulkString("index")
		w.BulkString("spec")
		w.Map(1)
		w.BulkString("index")
		w.Int(int64(k.Index))
	case k.Keyword != "":
		w.BulkString("keyword")
		w.BulkString("spec")
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString(k.Keyword)
		w.BulkString("startfrom")
		w.Int(int64(k.StartFrom))
	default:
		w.BulkString("unknown")
		w.BulkString("spec")
		w.Map(0)
	}

	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	switch {
	case k.Unknown || (k.Index <= 0 && k.Keyword == ""):
		w.BulkString("unknown")
		w.BulkString("spec")
		w.Map(0)
	case k.KeyNum:
		w.BulkString("keynum")
		w.BulkString("spec")
		w.Map(3)
		w.BulkString("keynumidx")
		w.Int(int64(k.NumIdx))
		w.BulkString("firstkey")
		w.Int(int64(k.FirstKey))
		w.BulkString("keystep")
		w.Int(int64(k.Step))
	default:
		w.BulkString("range")
		w.BulkString("spec")
		w.Map(3)
		w.BulkString("lastkey")
		w.Int(int64(k.LastKey))
		w.BulkString("keystep")
		w.Int(int64(k.Step))
		w.BulkString("limit")
		w.Int(int64(k.Limit))
	}
}

// WriteKeyFlags writes key-spec flags as COMMAND INFO and COMMAND
// GETKEYSANDFLAGS show them: a set of status replies.
func WriteKeyFlags(w *resp.Writer, f KeyFlag) {
	names := f.Names()
	w.Set(len(names))
	for _, n := range names {
		w.Simple(n)
	}
}

// WriteDocs writes s's COMMAND DOCS map: summary, since, group, complexity
// and, for a container, its subcommands' docs.
func WriteDocs(w *resp.Writer, s *Spec) {
	n := 1 // group is always there
	if s.Summary != "" {
		n++
	}
	if s.Since != "" {
		n++
	}
	if s.Complexity != "" {
		n++
	}
	if len(s.Subs) > 0 {
		n++
	}
	w.Map(n)
	if s.Summary != "" {
		w.BulkString("summary")
		w.BulkString(s.Summary)
	}
	if s.Since != "" {
		w.BulkString("since")
		w.BulkString(s.Since)
	}
	w.BulkString("group")
	w.BulkString(string(s.Group))
	if s.Complexity != "" {
		w.BulkString("complexity")
		w.BulkString(s.Complexity)
	}
	if len(s.Subs) > 0 {
		w.BulkString("subcommands")
		w.Map(len(s.Subs))
		for _, sub := range s.Subs {
			w.BulkString(sub.Name)
			WriteDocs(w, sub)
		}
	}
}

// LookupName finds a command by the name COMMAND INFO and COMMAND DOCS
// take: "get", or "config|get" for a subcommand. It returns nil for an
// unknown name, for a subcommand of a command that has none, and for more
// than one level of subcommand.
func LookupName(name []byte) *Spec {
	i := bytes.IndexByte(name, '|')
	if i < 0 {
		return Lookup(name)
	}
	base, sub := name[:i], name[i+1:]
	if bytes.IndexByte(sub, '|') >= 0 {
		return nil
	}
	s := Lookup(base)
	if s == nil || len(s.Subs) == 0 {
		return nil
	}
	return s.Sub(sub)
}

// LookupArgs finds the command a full command line runs, as COMMAND
// GETKEYS does: the subcommand named by the second argument when the
// command has subcommands, otherwise the command itself.
func LookupArgs(args [][]byte) *Spec {
	if len(args) == 0 {
		return nil
	}
	s := Lookup(args[0])
	if s == nil || len(args) == 1 || len(s.Subs) == 0 {
		return s
	}
	return s.Sub(args[1])
}

// HasKeys reports whether a command has key arguments: a key-finding
// function, or a key spec that names real keys.
func HasKeys(s *Spec) bool {
	if s.GetKeys != nil {
		return true
	}
	for i := range s.KeySpecs {
		if s.KeySpecs[i].Flags&KeyNotKey == 0 {
			return true
		}
	}
	return false
}

// KeyFlagsOf returns the access flags of the keys at positions (as Keys
// returned them for args), for COMMAND GETKEYSANDFLAGS. Each key takes the
// flags of the key spec that finds it; a key that no spec finds on its own
// (found by the command's GetKeys) takes the flags of the last spec that
// found nothing. SET and BITFIELD, whose specs have variable flags, get the
// flags their arguments imply.
func KeyFlagsOf(s *Spec, args [][]byte, positions []int) []KeyFlag {
	out := make([]KeyFlag, len(positions))
	if f, ok := variableKeyFlags(s, args); ok {
		for i := range out {
			out[i] = f
		}
		return out
	}
	byPos := map[int]KeyFlag{}
	var fallback KeyFlag
	haveFallback := false
	for i := range s.KeySpecs {
		k := s.KeySpecs[i]
		if k.Flags&KeyNotKey != 0 {
			continue
		}
		one := Spec{KeySpecs: []KeySpec{k}}
		keys, ok := one.Keys(args, nil)
		if !ok || len(keys) == 0 {
			fallback, haveFallback = k.Flags, true
			continue
		}
		for _, p := range keys {
			if _, seen := byPos[p]; !seen {
				byPos[p] = k.Flags
			}
		}
	}
	if !haveFallback && len(s.KeySpecs) > 0 {
		fallback = s.KeySpecs[0].Flags
	}
	for i, p := range positions {
		if f, ok := byPos[p]; ok {
			out[i] = f
		} else {
			out[i] = fallback
		}
	}
	return out
}

// variableKeyFlags gives the key flags of the commands whose key spec says
// "variable_flags": SET reads the old value only with GET, and BITFIELD
// writes only when a subcommand other than GET (or OVERFLOW) is present or
// the arguments do not parse.
func variableKeyFlags(s *Spec, args [][]byte) (KeyFlag, bool) {
	switch s.Name {
	case "migrate": // Redis's migrateGetKeys gives every key these flags
		return KeyRW | KeyAccess | KeyDelete, true
	case "set":
		for _, a := range args[min(3, len(args)):] {
			if strings.EqualFold(string(a), "get") {
				return KeyRW | KeyAccess | KeyUpdate, true
			}
		}
		return KeyOW | KeyUpdate, true
	case "bitfield":
		for i := 2; i < len(args); i++ {
			left := len(args) - i - 1
			switch a := string(args[i]); {
			case strings.EqualFold(a, "get") && left >= 2:
				i += 2
			case strings.EqualFold(a, "overflow") && left >= 1:
				i++
			default:
				return KeyRW | KeyAccess | KeyUpdate, true
			}
		}
		return KeyRO | KeyAccess, true
	}
	return 0, false
}

// CategoryByName returns the ACL category named name (without '@',
// case-insensitively), or 0.
func CategoryByName(name string) Category {
	for i, n := range CategoryNames {
		if strings.EqualFold(n, name) {
			return 1 << i
		}
	}
	return 0
}
