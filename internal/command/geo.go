package command

func init() {
	add(geoSpecs)
	for _, s := range geoSpecs {
		switch s.Name {
		case "georadius":
			s.GetKeys = geoRadiusGetKeys(6)
		case "georadiusbymember":
			s.GetKeys = geoRadiusGetKeys(5)
		}
	}
}

// geoRadiusKeys are the key specs of GEORADIUS and GEORADIUSBYMEMBER: the
// source, and the destinations after the STORE and STOREDIST keywords,
// searched from argument from on.
func geoRadiusKeys(from int) []KeySpec {
	return []KeySpec{
		{Flags: KeyRO | KeyAccess, Index: 1, LastKey: 0, Step: 1},
		{Flags: KeyOW | KeyUpdate, Keyword: "STORE", StartFrom: from, LastKey: 0, Step: 1},
		{Flags: KeyOW | KeyUpdate, Keyword: "STOREDIST", StartFrom: from, LastKey: 0, Step: 1},
	}
}

// geoRadiusGetKeys finds the keys of GEORADIUS (options from argument 6
// on) and GEORADIUSBYMEMBER (from 5) as Redis's key specs find them: the
// source, then the argument after the first STORE, then the one after the
// first STOREDIST, each keyword searched from the options' start up to
// the next-to-last argument. The command itself takes the destination of
// the last STORE or STOREDIST; when that is another argument (the options
// repeat a keyword) it is added as well, so that the key the command
// writes is always among those locked.
func geoRadiusGetKeys(from int) func(args [][]byte) ([]int, bool) {
	return func(args [][]byte) ([]int, bool) {
		if len(args) < 2 {
			return nil, false
		}
		keys := []int{1}
		for _, kw := range []string{"STORE", "STOREDIST"} {
			for i := from; i < len(args)-1; i++ {
				if geoIsWord(args[i], kw) {
					keys = append(keys, i+1)
					break
				}
			}
		}
		if dst := geoRadiusDest(args, from); dst > 0 {
			found := false
			for _, k := range keys[1:] {
				found = found || k == dst
			}
			if !found {
				keys = append(keys, dst)
			}
		}
		return keys, true
	}
}

// geoRadiusDest is the position of the destination the command will use:
// the argument after the last STORE or STOREDIST its option parsing
// accepts, or 0.
func geoRadiusDest(args [][]byte, from int) int {
	dst := 0
	for i := from; i < len(args); i++ {
		more := i+1 < len(args)
		a := args[i]
		switch {
		case geoIsWord(a, "WITHDIST"), geoIsWord(a, "WITHHASH"), geoIsWord(a, "WITHCOORD"),
			geoIsWord(a, "ANY"), geoIsWord(a, "ASC"), geoIsWord(a, "DESC"):
		case more && geoIsWord(a, "COUNT"):
			i++
		case more && (geoIsWord(a, "STORE") || geoIsWord(a, "STOREDIST")):
			dst = i + 1
			i++
		default:
			return dst // a syntax error: the command stores nothing
		}
	}
	return dst
}

// geoIsWord compares an argument with a keyword as C's strcasecmp does:
// case-insensitively, up to an embedded NUL.
func geoIsWord(arg []byte, kw string) bool {
	for i, ch := range arg {
		if ch == 0 {
			arg = arg[:i]
			break
		}
	}
	if len(arg) != len(kw) {
		return false
	}
	for i, ch := range arg {
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch != kw[i] {
			return false
		}
	}
	return true
}

var geoSpecs = []*Spec{
	{Name: "geoadd", Arity: -5, Flags: Write | DenyOOM, ACL: CatGeo,
		KeySpecs: firstKey(KeyRW | KeyUpdate),
		Group:    GroupGeo, Since: "3.2.0", Complexity: "O(log(N)) per position added, N the set's size",
		Summary: "Stores positions (longitude, latitude) of members in a geo set, kept as a sorted set."},
	{Name: "geodist", Arity: -4, Flags: ReadOnly, ACL: CatGeo,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupGeo, Since: "3.2.0", Complexity: "O(1)",
		Summary: "Returns the distance between the positions of two members."},
	{Name: "geohash", Arity: -2, Flags: ReadOnly, ACL: CatGeo,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupGeo, Since: "3.2.0", Complexity: "O(1) per member asked for",
		Summary: "Returns the standard geohash strings of members' positions."},
	{Name: "geopos", Arity: -2, Flags: ReadOnly, ACL: CatGeo,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupGeo, Since: "3.2.0", Complexity: "O(1) per member asked for",
		Summary: "Returns the longitude and latitude of members."},
	{Name: "georadius", Arity: -6, Flags: Write | DenyOOM, ACL: CatGeo,
		KeySpecs: geoRadiusKeys(6),
		Group:    GroupGeo, Since: "3.2.0", Complexity: "O(N+log(M)), N the members in the cells searched, M the members returned",
		Summary: "Finds the members within a radius of a position, optionally storing them (superseded by GEOSEARCH)."},
	{Name: "georadius_ro", Arity: -6, Flags: ReadOnly, ACL: CatGeo,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupGeo, Since: "3.2.10", Complexity: "O(N+log(M)), N the members in the cells searched, M the members returned",
		Summary: "Finds the members within a radius of a position (read-only GEORADIUS)."},
	{Name: "georadiusbymember", Arity: -5, Flags: Write | DenyOOM, ACL: CatGeo,
		KeySpecs: geoRadiusKeys(5),
		Group:    GroupGeo, Since: "3.2.0", Complexity: "O(N+log(M)), N the members in the cells searched, M the members returned",
		Summary: "Finds the members within a radius of a member, optionally storing them (superseded by GEOSEARCH)."},
	{Name: "georadiusbymember_ro", Arity: -5, Flags: ReadOnly, ACL: CatGeo,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupGeo, Since: "3.2.10", Complexity: "O(N+log(M)), N the members in the cells searched, M the members returned",
		Summary: "Finds the members within a radius of a member (read-only GEORADIUSBYMEMBER)."},
	{Name: "geosearch", Arity: -7, Flags: ReadOnly, ACL: CatGeo,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupGeo, Since: "6.2.0", Complexity: "O(N+log(M)), N the members in the cells searched, M the members returned",
		Summary: "Finds the members within a circle or a box around a member or a position."},
	{Name: "geosearchstore", Arity: -8, Flags: Write | DenyOOM, ACL: CatGeo,
		KeySpecs: []KeySpec{
			{Flags: KeyOW | KeyUpdate, Index: 1, LastKey: 0, Step: 1},
			{Flags: KeyRO | KeyAccess, Index: 2, LastKey: 0, Step: 1},
		},
		Group: GroupGeo, Since: "6.2.0", Complexity: "O(N+log(M)), N the members in the cells searched, M the members stored",
		Summary: "Stores in a key the members within a circle or a box around a member or a position."},
}
