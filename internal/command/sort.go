package command

import "bytes"

func init() {
	add(sortSpecs)
	for _, s := range sortSpecs {
		s.GetKeys = sortGetKeys(s.Name == "sort")
	}
}

// sortComplexity is the documented cost of SORT and SORT_RO.
const sortComplexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."

// sortKeySpecs are the key specs of SORT (with the STORE destination) and
// SORT_RO. The notes are part of what COMMAND INFO shows, so they are
// Redis's own words.
func sortKeySpecs(store bool) []KeySpec {
	specs := []KeySpec{
		{Flags: KeyRO | KeyAccess, Index: 1, LastKey: 0, Step: 1},
		{Notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
			Flags: KeyRO | KeyAccess, Unknown: true},
	}
	if store {
		specs = append(specs, KeySpec{
			Notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
			Flags: KeyOW | KeyUpdate, Unknown: true})
	}
	return specs
}

// BY and GET patterns name keys built from the sorted elements, so both
// commands take the whole keyspace (AllKeys).
var sortSpecs = []*Spec{
	{Name: "sort", Arity: -2, Flags: Write | DenyOOM | AllKeys,
		ACL:      CatSet | CatSortedSet | CatList | CatDangerous,
		KeySpecs: sortKeySpecs(true),
		Group:    GroupGeneric, Since: "1.0.0", Complexity: sortComplexity,
		Summary: "Orders the elements of a list, set or sorted set, optionally by external keys, and returns or stores them."},
	{Name: "sort_ro", Arity: -2, Flags: ReadOnly | AllKeys,
		ACL:      CatSet | CatSortedSet | CatList | CatDangerous,
		KeySpecs: sortKeySpecs(false),
		Group:    GroupGeneric, Since: "7.0.0", Complexity: sortComplexity,
		Summary: "Orders the elements of a list, set or sorted set, optionally by external keys, and returns them (read-only SORT)."},
}

// sortGetKeys finds SORT's keys as Redis does: the sorted key, and for
// SORT the argument after the last STORE word that has one. LIMIT's two
// arguments and the pattern after BY or GET are skipped over, so they are
// never taken for a STORE.
func sortGetKeys(store bool) func(args [][]byte) ([]int, bool) {
	return func(args [][]byte) ([]int, bool) {
		if len(args) < 2 {
			return nil, false
		}
		keys := []int{1}
		if !store {
			return keys, true
		}
		dst := 0
		for i := 2; i < len(args); i++ {
			switch a := sortCString(args[i]); {
			case bytes.EqualFold(a, []byte("limit")):
				i += 2
			case bytes.EqualFold(a, []byte("get")), bytes.EqualFold(a, []byte("by")):
				i++
			case bytes.EqualFold(a, []byte("store")) && i+1 < len(args):
				dst = i + 1
			}
		}
		if dst > 0 {
			keys = append(keys, dst)
		}
		return keys, true
	}
}

// sortCString is an argument as C's string functions see it: up to its
// first NUL byte.
func sortCString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}
