package command

func init() { add(streamSpecs) }

// streamKey1 is the key spec of a stream command whose only key is its
// first argument.
func streamKey1(flags KeyFlag) []KeySpec {
	return []KeySpec{{Flags: flags, Index: 1, LastKey: 0, Step: 1}}
}

var streamSpecs = []*Spec{
	{Name: "xadd", Arity: -5, Flags: Write | DenyOOM | Fast, ACL: CatStream,
		KeySpecs: []KeySpec{{Notes: "UPDATE instead of INSERT because of the optional trimming feature",
			Flags: KeyRW | KeyUpdate, Index: 1, LastKey: 0, Step: 1}},
		Tips:  []string{"nondeterministic_output"},
		Group: GroupStream, Since: "5.0.0",
		Complexity: "O(1) to add; trimming costs O(N) for N entries removed.",
		Summary:    "Appends an entry to a stream, creating the stream if needed, optionally trimming it."},
	{Name: "xlen", Arity: 2, Flags: ReadOnly | Fast, ACL: CatStream,
		KeySpecs: streamKey1(KeyRO),
		Group:    GroupStream, Since: "5.0.0", Complexity: "O(1)",
		Summary: "Returns the number of entries of a stream."},
	{Name: "xrange", Arity: -4, Flags: ReadOnly, ACL: CatStream,
		KeySpecs: streamKey1(KeyRO | KeyAccess),
		Group:    GroupStream, Since: "5.0.0",
		Complexity: "O(log N + M) for M entries returned.",
		Summary:    "Returns the entries of a stream between two IDs, oldest first."},
	{Name: "xrevrange", Arity: -4, Flags: ReadOnly, ACL: CatStream,
		KeySpecs: streamKey1(KeyRO | KeyAccess),
		Group:    GroupStream, Since: "5.0.0",
		Complexity: "O(log N + M) for M entries returned.",
		Summary:    "Returns the entries of a stream between two IDs, newest first."},
	{Name: "xdel", Arity: -3, Flags: Write | Fast, ACL: CatStream,
		KeySpecs: streamKey1(KeyRW | KeyDelete),
		Group:    GroupStream, Since: "5.0.0",
		Complexity: "O(log N) per ID removed.",
		Summary:    "Removes entries from a stream by ID and returns how many were there."},
	{Name: "xtrim", Arity: -4, Flags: Write, ACL: CatStream,
		KeySpecs: streamKey1(KeyRW | KeyDelete),
		Tips:     []string{"nondeterministic_output"},
		Group:    GroupStream, Since: "5.0.0",
		Complexity: "O(N) for N entries removed.",
		Summary:    "Removes the oldest entries of a stream, by length or by minimum ID."},
	{Name: "xread", Arity: -4, Flags: ReadOnly | Blocking, ACL: CatStream,
		KeySpecs: []KeySpec{{Flags: KeyRO | KeyAccess, Keyword: "STREAMS", StartFrom: 1, LastKey: -1, Step: 1, Limit: 2}},
		Group:    GroupStream, Since: "5.0.0",
		Complexity: "O(log N + M) per stream for M entries returned.",
		Summary:    "Returns entries newer than given IDs from one or more streams, optionally waiting for some."},
	{Name: "xsetid", Arity: -3, Flags: Write | DenyOOM | Fast, ACL: CatStream,
		KeySpecs: streamKey1(KeyRW | KeyUpdate),
		Group:    GroupStream, Since: "5.0.0", Complexity: "O(1)",
		Summary: "Sets a stream's last generated ID and, optionally, its counters."},
}
