package command

func init() { add(setSpecs) }

// setKeysFrom is the key spec of a command whose keys are all its
// arguments from index on.
func setKeysFrom(index int) KeySpec {
	return KeySpec{Flags: KeyRO | KeyAccess, Index: index, LastKey: -1, Step: 1}
}

// setStoreKeys are the key specs of SINTERSTORE, SUNIONSTORE and
// SDIFFSTORE: the destination, then the source sets.
func setStoreKeys(dst KeyFlag) []KeySpec {
	return []KeySpec{{Flags: dst, Index: 1, LastKey: 0, Step: 1}, setKeysFrom(2)}
}

const setCombineComplexity = "O(N) where N is the total number of members of the given sets"
const setInterComplexity = "O(N*M) worst case, for N members in the smallest set and M sets"

var setSpecs = []*Spec{
	{Name: "sadd", Arity: -3, Flags: Write | DenyOOM | Fast, ACL: CatSet,
		KeySpecs: firstKey(KeyRW | KeyInsert),
		Members:  MemberSpec{First: 2, Last: -1, Step: 1},
		Group:    GroupSet, Since: "1.0.0", Complexity: "O(1) per member added",
		Summary: "Adds members to the set stored at a key, creating the set if needed."},
	{Name: "srem", Arity: -3, Flags: Write | Fast, ACL: CatSet,
		KeySpecs: firstKey(KeyRW | KeyDelete),
		Members:  MemberSpec{First: 2, Last: -1, Step: 1},
		Group:    GroupSet, Since: "1.0.0", Complexity: "O(N) for N members removed",
		Summary: "Removes members from a set; the key goes away with its last member."},
	{Name: "smembers", Arity: 2, Flags: ReadOnly, ACL: CatSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Tips:     []string{"nondeterministic_output_order"},
		Group:    GroupSet, Since: "1.0.0", Complexity: "O(N) for a set of N members",
		Summary: "Returns every member of a set."},
	{Name: "sismember", Arity: 3, Flags: ReadOnly | Fast, ACL: CatSet,
		KeySpecs: firstKey(KeyRO),
		Members:  MemberSpec{First: 2, Step: 1},
		Group:    GroupSet, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Tells whether a string is a member of a set."},
	{Name: "smismember", Arity: -3, Flags: ReadOnly | Fast, ACL: CatSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Members:  MemberSpec{First: 2, Last: -1, Step: 1},
		Group:    GroupSet, Since: "6.2.0", Complexity: "O(N) for N strings checked",
		Summary: "Tells, for each of several strings, whether it is a member of a set."},
	{Name: "scard", Arity: 2, Flags: ReadOnly | Fast, ACL: CatSet,
		KeySpecs: firstKey(KeyRO),
		Group:    GroupSet, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Returns the number of members of a set."},
	{Name: "spop", Arity: -2, Flags: Write | Fast, ACL: CatSet,
		KeySpecs: firstKey(KeyRW | KeyAccess | KeyDelete),
		Tips:     []string{"nondeterministic_output"},
		Group:    GroupSet, Since: "1.0.0", Complexity: "O(1), or O(N) for a count of N",
		Summary: "Removes random members from a set and returns them."},
	{Name: "srandmember", Arity: -2, Flags: ReadOnly, ACL: CatSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Tips:     []string{"nondeterministic_output"},
		Group:    GroupSet, Since: "1.0.0", Complexity: "O(1), or O(N) for a count of N (or -N)",
		Summary: "Returns random members of a set, distinct for a positive count, possibly repeated for a negative one."},
	{Name: "smove", Arity: 4, Flags: Write | Fast, ACL: CatSet,
		KeySpecs: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1, LastKey: 0, Step: 1},
			{Flags: KeyRW | KeyInsert, Index: 2, LastKey: 0, Step: 1},
		},
		Group: GroupSet, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Moves a member from one set to another."},
	{Name: "sinter", Arity: -2, Flags: ReadOnly, ACL: CatSet,
		KeySpecs: []KeySpec{setKeysFrom(1)},
		Tips:     []string{"nondeterministic_output_order"},
		Group:    GroupSet, Since: "1.0.0", Complexity: setInterComplexity,
		Summary: "Returns the members common to every given set."},
	{Name: "sintercard", Arity: -3, Flags: ReadOnly, ACL: CatSet,
		KeySpecs: []KeySpec{{Flags: KeyRO | KeyAccess, Index: 1, KeyNum: true, NumIdx: 0, FirstKey: 1, Step: 1}},
		Group:    GroupSet, Since: "7.0.0", Complexity: setInterComplexity,
		Summary: "Counts the members common to every given set, optionally stopping at a limit."},
	{Name: "sinterstore", Arity: -3, Flags: Write | DenyOOM, ACL: CatSet,
		KeySpecs: setStoreKeys(KeyRW | KeyUpdate),
		Group:    GroupSet, Since: "1.0.0", Complexity: setInterComplexity,
		Summary: "Stores the members common to every given set at a key."},
	{Name: "sunion", Arity: -2, Flags: ReadOnly, ACL: CatSet,
		KeySpecs: []KeySpec{setKeysFrom(1)},
		Tips:     []string{"nondeterministic_output_order"},
		Group:    GroupSet, Since: "1.0.0", Complexity: setCombineComplexity,
		Summary: "Returns the members of any of the given sets."},
	{Name: "sunionstore", Arity: -3, Flags: Write | DenyOOM, ACL: CatSet,
		KeySpecs: setStoreKeys(KeyOW | KeyUpdate),
		Group:    GroupSet, Since: "1.0.0", Complexity: setCombineComplexity,
		Summary: "Stores the members of any of the given sets at a key."},
	{Name: "sdiff", Arity: -2, Flags: ReadOnly, ACL: CatSet,
		KeySpecs: []KeySpec{setKeysFrom(1)},
		Tips:     []string{"nondeterministic_output_order"},
		Group:    GroupSet, Since: "1.0.0", Complexity: setCombineComplexity,
		Summary: "Returns the members of the first set that none of the other sets has."},
	{Name: "sdiffstore", Arity: -3, Flags: Write | DenyOOM, ACL: CatSet,
		KeySpecs: setStoreKeys(KeyOW | KeyUpdate),
		Group:    GroupSet, Since: "1.0.0", Complexity: setCombineComplexity,
		Summary: "Stores the members of the first set that none of the other sets has at a key."},
	{Name: "sscan", Arity: -3, Flags: ReadOnly, ACL: CatSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Tips:     []string{"nondeterministic_output"},
		Group:    GroupSet, Since: "2.8.0",
		Complexity: "O(1) per call; O(N) for a whole iteration over N members",
		Summary:    "Iterates over the members of a set with a cursor, optionally filtered by a pattern."},
}
