package command

func init() { add(hyperloglogSpecs) }

var hyperloglogSpecs = []*Spec{
	{Name: "pfadd", Arity: -2, Flags: Write | DenyOOM | Fast, ACL: CatHyperLogLog,
		KeySpecs: firstKey(KeyRW | KeyInsert),
		Group:    GroupHyperLogLog, Since: "2.8.9", Complexity: "O(1) to add every element.",
		Summary: "Adds elements to the HyperLogLog at a key, creating it when missing."},
	{Name: "pfcount", Arity: -2, Flags: ReadOnly | MayReplicate, ACL: CatHyperLogLog,
		KeySpecs: []KeySpec{{Notes: "RW because it may change the internal representation of the key, and propagate to replicas",
			Flags: KeyRW | KeyAccess, Index: 1, LastKey: -1, Step: 1}},
		Group: GroupHyperLogLog, Since: "2.8.9",
		Complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
		Summary:    "Estimates the number of distinct elements seen by one HyperLogLog, or by the union of several."},
	{Name: "pfmerge", Arity: -2, Flags: Write | DenyOOM, ACL: CatHyperLogLog,
		KeySpecs: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyInsert, Index: 1, LastKey: 0, Step: 1},
			{Flags: KeyRO | KeyAccess, Index: 2, LastKey: -1, Step: 1},
		},
		Group: GroupHyperLogLog, Since: "2.8.9", Complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
		Summary: "Stores the union of several HyperLogLogs at a destination key."},
	{Name: "pfdebug", Arity: 3, Flags: Write | DenyOOM | Admin, ACL: CatHyperLogLog,
		KeySpecs: []KeySpec{{Flags: KeyRW | KeyAccess, Index: 2, LastKey: 0, Step: 1}},
		Group:    GroupHyperLogLog, Since: "2.8.9", Complexity: "N/A",
		Summary: "Inspects or converts the internal encoding of a HyperLogLog (debugging aid)."},
	{Name: "pfselftest", Arity: 1, Flags: Admin, ACL: CatHyperLogLog,
		Group: GroupHyperLogLog, Since: "2.8.9", Complexity: "N/A",
		Summary: "Runs the HyperLogLog implementation's internal self checks."},
}
