package command

import (
	"sort"
	"strings"
	"sync"
)

var (
	pending   [][]*Spec
	buildOnce sync.Once
	byName    map[string]*Spec
	all       []*Spec // top-level commands, sorted by name
	byID      []*Spec // every spec, subcommands included, indexed by ID
)

// add registers a group's specs; each group file calls it from init.
func add(specs []*Spec) { pending = append(pending, specs) }

func build() {
	buildOnce.Do(func() {
		byName = make(map[string]*Spec)
		for _, group := range pending {
			for _, s := range group {
				if _, dup := byName[s.Name]; dup {
					panic("command: duplicate spec " + s.Name)
				}
				byName[s.Name] = s
				all = append(all, s)
			}
		}
		sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
		for _, s := range all {
			s.ID = len(byID)
			byID = append(byID, s)
			s.finish()
			if len(s.Subs) > 0 {
				s.subIndex = make(map[string]*Spec, len(s.Subs))
				sort.Slice(s.Subs, func(i, j int) bool { return s.Subs[i].Name < s.Subs[j].Name })
			}
			for _, sub := range s.Subs {
				if !strings.HasPrefix(sub.Name, s.Name+"|") {
					panic("command: subcommand " + sub.Name + " not named " + s.Name + "|...")
				}
				sub.Parent = s
				sub.ID = len(byID)
				byID = append(byID, sub)
				sub.finish()
				s.subIndex[sub.SubName()] = sub
			}
		}
	})
}

// Lookup finds a top-level command by name, case-insensitively, without
// allocating.
func Lookup(name []byte) *Spec {
	build()
	var tmp [32]byte
	if len(name) > len(tmp) {
		return nil
	}
	return byName[string(lower(tmp[:0], name))]
}

// LookupString is Lookup for a Go string.
func LookupString(name string) *Spec { return Lookup([]byte(name)) }

// All returns the top-level commands sorted by name.
func All() []*Spec {
	build()
	return all
}

// Count is the number of IDs in use: every command and subcommand.
func Count() int {
	build()
	return len(byID)
}

// ByID returns the spec with the given ID.
func ByID(id int) *Spec {
	build()
	return byID[id]
}
