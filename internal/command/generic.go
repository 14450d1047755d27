package command

import "strings"

func init() { add(genericSpecs) }

// genKeyAt is the key spec of a single key at argument i.
func genKeyAt(i int, flags KeyFlag) KeySpec {
	return KeySpec{Flags: flags, Index: i, LastKey: 0, Step: 1}
}

// genKeysFrom1 is the key spec of every argument from the first on.
func genKeysFrom1(flags KeyFlag) KeySpec {
	return KeySpec{Flags: flags, Index: 1, LastKey: -1, Step: 1}
}

// genMultiShardSum are the tips of multi-key commands that add up counts.
var genMultiShardSum = []string{"request_policy:multi_shard", "response_policy:agg_sum"}

var genericSpecs = []*Spec{
	{Name: "del", Arity: -2, Flags: Write, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeysFrom1(KeyRM | KeyDelete)},
		Tips:     genMultiShardSum,
		Group:    GroupGeneric, Since: "1.0.0",
		Complexity: "O(N) for N keys; deleting a collection is linear in its size.",
		Summary:    "Removes keys and returns how many existed."},
	{Name: "unlink", Arity: -2, Flags: Write | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeysFrom1(KeyRM | KeyDelete)},
		Tips:     genMultiShardSum,
		Group:    GroupGeneric, Since: "4.0.0",
		Complexity: "O(1) per key; memory is reclaimed in the background.",
		Summary:    "Removes keys like DEL, reclaiming their memory without blocking."},
	{Name: "exists", Arity: -2, Flags: ReadOnly | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeysFrom1(KeyRO)},
		Tips:     genMultiShardSum,
		Group:    GroupGeneric, Since: "1.0.0",
		Complexity: "O(N) for N keys.",
		Summary:    "Counts how many of the given keys exist, repeated keys counted each time."},
	{Name: "type", Arity: 2, Flags: ReadOnly | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRO)},
		Group:    GroupGeneric, Since: "1.0.0",
		Complexity: "O(1)",
		Summary:    "Names the data type a key holds, or none."},
	{Name: "touch", Arity: -2, Flags: ReadOnly | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeysFrom1(KeyRO)},
		Tips:     genMultiShardSum,
		Group:    GroupGeneric, Since: "3.2.1",
		Complexity: "O(N) for N keys.",
		Summary:    "Marks keys as accessed now and counts the ones that exist."},
	{Name: "rename", Arity: 3, Flags: Write, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRW|KeyAccess|KeyDelete), genKeyAt(2, KeyOW|KeyUpdate)},
		Group:    GroupGeneric, Since: "1.0.0",
		Complexity: "O(1)",
		Summary:    "Gives a key a new name, replacing any key already called that."},
	{Name: "renamenx", Arity: 3, Flags: Write | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRW|KeyAccess|KeyDelete), genKeyAt(2, KeyOW|KeyInsert)},
		Group:    GroupGeneric, Since: "1.0.0",
		Complexity: "O(1)",
		Summary:    "Gives a key a new name unless that name is already taken."},
	{Name: "copy", Arity: -3, Flags: Write | DenyOOM, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRO|KeyAccess), genKeyAt(2, KeyOW|KeyUpdate)},
		Group:    GroupGeneric, Since: "6.2.0",
		Complexity: "O(N) in the size of the copied value.",
		Summary:    "Duplicates a key's value under another name, optionally in another database."},
	{Name: "dump", Arity: 2, Flags: ReadOnly, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRO|KeyAccess)},
		Tips:     []string{"nondeterministic_output"},
		Group:    GroupGeneric, Since: "2.6.0",
		Complexity: "O(1) to find the key, then O(N*M) to serialize a value of N elements of size M.",
		Summary:    "Serializes a key's value in the RDB format RESTORE reads."},
	{Name: "restore", Arity: -4, Flags: Write | DenyOOM, ACL: CatKeyspace | CatDangerous,
		KeySpecs: []KeySpec{genKeyAt(1, KeyOW|KeyUpdate)},
		Group:    GroupGeneric, Since: "2.6.0",
		Complexity: "O(1) to create the key, then O(N*M) to rebuild a value of N elements of size M.",
		Summary:    "Creates a key from a DUMP payload, optionally with a TTL."},
	{Name: "migrate", Arity: -6, Flags: Write, ACL: CatKeyspace | CatDangerous,
		KeySpecs: []KeySpec{
			{Flags: KeyRW | KeyAccess | KeyDelete, Index: 3, LastKey: 0, Step: 1},
			{Flags: KeyRW | KeyAccess | KeyDelete | KeyIncomplete, Keyword: "KEYS", StartFrom: -2, LastKey: -1, Step: 1},
		},
		GetKeys: migrateKeys,
		Tips:    []string{"nondeterministic_output"},
		Group:   GroupGeneric, Since: "2.6.0",
		Complexity: "DUMP and DEL here, RESTORE on the target, plus an O(N) transfer of the payloads.",
		Summary:    "Moves keys to another server with DUMP and RESTORE."},
	{Name: "move", Arity: 3, Flags: Write | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRW|KeyAccess|KeyUpdate)},
		Group:    GroupGeneric, Since: "1.0.0",
		Complexity: "O(1)",
		Summary:    "Transfers a key to another database unless it exists there."},
	{Name: "keys", Arity: 2, Flags: ReadOnly | AllKeys, ACL: CatKeyspace | CatDangerous,
		Tips:  []string{"request_policy:all_shards", "nondeterministic_output_order"},
		Group: GroupGeneric, Since: "1.0.0",
		Complexity: "O(N) in the number of keys of the database.",
		Summary:    "Lists every key whose name matches a glob pattern."},
	{Name: "scan", Arity: -2, Flags: ReadOnly | AllKeys, ACL: CatKeyspace,
		Tips:  []string{"nondeterministic_output", "request_policy:special"},
		Group: GroupGeneric, Since: "2.8.0",
		Complexity: "O(1) per call, O(N) for a whole iteration over N keys.",
		Summary:    "Walks the keys of the database a batch at a time with a cursor."},
	{Name: "randomkey", Arity: 1, Flags: ReadOnly | AllKeys, ACL: CatKeyspace,
		Tips:  []string{"request_policy:all_shards", "nondeterministic_output"},
		Group: GroupGeneric, Since: "1.0.0",
		Complexity: "O(1)",
		Summary:    "Picks the name of a key at random."},
	{Name: "object", Arity: -2,
		Group: GroupGeneric, Since: "2.2.3",
		Complexity: "Depends on the subcommand.",
		Summary:    "Inspects how a key's value is stored.",
		Subs: []*Spec{
			{Name: "object|help", Arity: 2, Flags: Loading | Stale, ACL: CatKeyspace,
				Group: GroupGeneric, Since: "6.2.0", Complexity: "O(1)",
				Summary: "Lists the OBJECT subcommands."},
			{Name: "object|encoding", Arity: 3, Flags: ReadOnly, ACL: CatKeyspace,
				KeySpecs: []KeySpec{genKeyAt(2, KeyRO)},
				Tips:     []string{"nondeterministic_output"},
				Group:    GroupGeneric, Since: "2.2.3", Complexity: "O(1)",
				Summary: "Names the internal representation of a key's value."},
			{Name: "object|freq", Arity: 3, Flags: ReadOnly, ACL: CatKeyspace,
				KeySpecs: []KeySpec{genKeyAt(2, KeyRO)},
				Tips:     []string{"nondeterministic_output"},
				Group:    GroupGeneric, Since: "4.0.0", Complexity: "O(1)",
				Summary: "Reports a key's logarithmic access frequency counter (LFU policies)."},
			{Name: "object|idletime", Arity: 3, Flags: ReadOnly, ACL: CatKeyspace,
				KeySpecs: []KeySpec{genKeyAt(2, KeyRO)},
				Tips:     []string{"nondeterministic_output"},
				Group:    GroupGeneric, Since: "2.2.3", Complexity: "O(1)",
				Summary: "Reports the seconds since a key was last accessed."},
			{Name: "object|refcount", Arity: 3, Flags: ReadOnly, ACL: CatKeyspace,
				KeySpecs: []KeySpec{genKeyAt(2, KeyRO)},
				Tips:     []string{"nondeterministic_output"},
				Group:    GroupGeneric, Since: "2.2.3", Complexity: "O(1)",
				Summary: "Reports how many references share a key's value."},
		}},
	{Name: "expire", Arity: -3, Flags: Write | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRW|KeyUpdate)},
		Group:    GroupGeneric, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Sets a key's time to live in seconds."},
	{Name: "pexpire", Arity: -3, Flags: Write | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRW|KeyUpdate)},
		Group:    GroupGeneric, Since: "2.6.0", Complexity: "O(1)",
		Summary: "Sets a key's time to live in milliseconds."},
	{Name: "expireat", Arity: -3, Flags: Write | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRW|KeyUpdate)},
		Group:    GroupGeneric, Since: "1.2.0", Complexity: "O(1)",
		Summary: "Makes a key expire at a Unix time in seconds."},
	{Name: "pexpireat", Arity: -3, Flags: Write | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRW|KeyUpdate)},
		Group:    GroupGeneric, Since: "2.6.0", Complexity: "O(1)",
		Summary: "Makes a key expire at a Unix time in milliseconds."},
	{Name: "expiretime", Arity: 2, Flags: ReadOnly | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRO|KeyAccess)},
		Group:    GroupGeneric, Since: "7.0.0", Complexity: "O(1)",
		Summary: "Reports the Unix time in seconds at which a key expires."},
	{Name: "pexpiretime", Arity: 2, Flags: ReadOnly | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRO|KeyAccess)},
		Group:    GroupGeneric, Since: "7.0.0", Complexity: "O(1)",
		Summary: "Reports the Unix time in milliseconds at which a key expires."},
	{Name: "ttl", Arity: 2, Flags: ReadOnly | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRO|KeyAccess)},
		Tips:     []string{"nondeterministic_output"},
		Group:    GroupGeneric, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Reports a key's remaining time to live in seconds."},
	{Name: "pttl", Arity: 2, Flags: ReadOnly | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRO|KeyAccess)},
		Tips:     []string{"nondeterministic_output"},
		Group:    GroupGeneric, Since: "2.6.0", Complexity: "O(1)",
		Summary: "Reports a key's remaining time to live in milliseconds."},
	{Name: "persist", Arity: 2, Flags: Write | Fast, ACL: CatKeyspace,
		KeySpecs: []KeySpec{genKeyAt(1, KeyRW|KeyUpdate)},
		Group:    GroupGeneric, Since: "2.2.0", Complexity: "O(1)",
		Summary: "Drops a key's time to live so that it never expires."},
}

// migrateKeys finds MIGRATE's keys as Redis's migrateGetKeys: the key
// argument, or with KEYS (and an empty key argument) the arguments after
// it; AUTH and AUTH2 values are skipped over.
func migrateKeys(args [][]byte) ([]int, bool) {
	for i := 6; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "auth":
			i++
		case "auth2":
			i += 2
		case "keys":
			if len(args[3]) > 0 {
				return nil, false
			}
			keys := make([]int, 0, len(args)-i-1)
			for j := i + 1; j < len(args); j++ {
				keys = append(keys, j)
			}
			return keys, true
		}
	}
	return []int{3}, true
}
