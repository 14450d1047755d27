package command

import "github.com/ember-kv/ember/resp"

func init() {
	add(zsetSpecs)
	for _, s := range zsetSpecs {
		switch s.Name {
		case "zunionstore", "zinterstore", "zdiffstore":
			s.GetKeys = zsetGetKeys(true, 2)
		case "zunion", "zinter", "zdiff", "zintercard", "zmpop":
			s.GetKeys = zsetGetKeys(false, 1)
		case "bzmpop":
			s.GetKeys = zsetGetKeys(false, 2)
		}
	}
}

// zsetGetKeys finds the keys of a numkeys command (numkeys at numIdx, the
// keys after it, a destination at 1 when store) as Redis does: by the key
// specs when numkeys is a strict integer of at least 1 and the keys are
// all there (destination first), else by the command's older key finder,
// which reads numkeys with C's atoi and lists the destination last. Both
// find no keys for a numkeys below 1 or beyond the arguments.
func zsetGetKeys(store bool, numIdx int) func(args [][]byte) ([]int, bool) {
	return func(args [][]byte) ([]int, bool) {
		first := numIdx + 1
		if first > len(args) {
			return nil, false
		}
		var keys []int
		n, ok := resp.ParseInt(args[numIdx])
		specs := ok
		if !ok {
			n = zsetAtoi(args[numIdx])
		}
		if n < 1 || n > int64(len(args)-first) {
			return nil, false
		}
		if store && specs {
			keys = append(keys, 1)
		}
		for i := 0; i < int(n); i++ {
			keys = append(keys, first+i)
		}
		if store && !specs {
			keys = append(keys, 1)
		}
		return keys, true
	}
}

// zsetAtoi is C's atoi: leading white space, an optional sign, then
// digits up to the first other byte.
func zsetAtoi(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n < 1<<40 {
			n = n*10 + int64(b[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// zsetKeyNum is the key spec of numkeys-prefixed keys: the count at
// argument index, the keys after it.
func zsetKeyNum(index int, flags KeyFlag) KeySpec {
	return KeySpec{Flags: flags, Index: index, KeyNum: true, NumIdx: 0, FirstKey: 1, Step: 1}
}

// zsetStoreKeys are the key specs of Z*STORE destination numkeys key ...
var zsetStoreKeys = []KeySpec{
	{Flags: KeyOW | KeyUpdate, Index: 1, LastKey: 0, Step: 1},
	zsetKeyNum(2, KeyRO|KeyAccess),
}

var zsetNondeterministic = []string{"nondeterministic_output"}

// zaddOptions are the options that may come between ZADD's key and its
// first score.
var zaddOptions = []string{"NX", "XX", "GT", "LT", "CH", "INCR"}

var zsetSpecs = []*Spec{
	{Name: "zadd", Arity: -4, Flags: Write | DenyOOM | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRW | KeyUpdate),
		Members:  MemberSpec{First: 3, Last: -1, Step: 2, Options: zaddOptions},
		Group:    GroupSortedSet, Since: "1.2.0", Complexity: "O(log(N)) per member added or updated, N the set's size",
		Summary: "Adds members with scores to a sorted set or changes their scores, creating the set if needed."},
	{Name: "zincrby", Arity: 4, Flags: Write | DenyOOM | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRW | KeyAccess | KeyUpdate),
		Members:  MemberSpec{First: 3, Step: 1},
		Group:    GroupSortedSet, Since: "1.2.0", Complexity: "O(log(N)), N the set's size",
		Summary: "Adds a number to a member's score, adding the member if it is missing."},
	{Name: "zrem", Arity: -3, Flags: Write | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRW | KeyDelete),
		Members:  MemberSpec{First: 2, Last: -1, Step: 1},
		Group:    GroupSortedSet, Since: "1.2.0", Complexity: "O(M*log(N)) for M members removed from a set of N",
		Summary: "Removes members from a sorted set, deleting the key when it empties."},
	{Name: "zcard", Arity: 2, Flags: ReadOnly | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO),
		Group:    GroupSortedSet, Since: "1.2.0", Complexity: "O(1)",
		Summary: "Counts the members of a sorted set."},
	{Name: "zcount", Arity: 4, Flags: ReadOnly | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupSortedSet, Since: "2.0.0", Complexity: "O(log(N)), N the set's size",
		Summary: "Counts the members whose scores lie within a range."},
	{Name: "zscore", Arity: 3, Flags: ReadOnly | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Members:  MemberSpec{First: 2, Step: 1},
		Group:    GroupSortedSet, Since: "1.2.0", Complexity: "O(1)",
		Summary: "Returns a member's score."},
	{Name: "zmscore", Arity: -3, Flags: ReadOnly | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Members:  MemberSpec{First: 2, Last: -1, Step: 1},
		Group:    GroupSortedSet, Since: "6.2.0", Complexity: "O(N) for N members asked for",
		Summary: "Returns the scores of several members."},
	{Name: "zrank", Arity: 3, Flags: ReadOnly | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Members:  MemberSpec{First: 2, Step: 1},
		Group:    GroupSortedSet, Since: "2.0.0", Complexity: "O(log(N))",
		Summary: "Returns a member's position counted from the lowest score."},
	{Name: "zrevrank", Arity: 3, Flags: ReadOnly | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Members:  MemberSpec{First: 2, Step: 1},
		Group:    GroupSortedSet, Since: "2.0.0", Complexity: "O(log(N))",
		Summary: "Returns a member's position counted from the highest score."},
	{Name: "zrange", Arity: -4, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupSortedSet, Since: "1.2.0", Complexity: "O(log(N)+M), M the members returned",
		Summary: "Returns members by rank, score or lexicographic range, in either direction."},
	{Name: "zrangestore", Arity: -5, Flags: Write | DenyOOM, ACL: CatSortedSet,
		KeySpecs: []KeySpec{
			{Flags: KeyOW | KeyUpdate, Index: 1, LastKey: 0, Step: 1},
			{Flags: KeyRO | KeyAccess, Index: 2, LastKey: 0, Step: 1},
		},
		Group: GroupSortedSet, Since: "6.2.0", Complexity: "O(log(N)+M), M the members stored",
		Summary: "Stores a range of a sorted set, selected as ZRANGE selects it, in another key."},
	{Name: "zrevrange", Arity: -4, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupSortedSet, Since: "1.2.0", Complexity: "O(log(N)+M), M the members returned",
		Summary: "Returns members by rank from the highest score down (ZRANGE ... REV)."},
	{Name: "zrangebyscore", Arity: -4, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupSortedSet, Since: "1.0.5", Complexity: "O(log(N)+M), M the members returned",
		Summary: "Returns the members whose scores lie within a range (ZRANGE ... BYSCORE)."},
	{Name: "zrevrangebyscore", Arity: -4, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupSortedSet, Since: "2.2.0", Complexity: "O(log(N)+M), M the members returned",
		Summary: "Returns the members whose scores lie within a range, highest first (ZRANGE ... BYSCORE REV)."},
	{Name: "zrangebylex", Arity: -4, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupSortedSet, Since: "2.8.9", Complexity: "O(log(N)+M), M the members returned",
		Summary: "Returns the members within a lexicographic range (ZRANGE ... BYLEX)."},
	{Name: "zrevrangebylex", Arity: -4, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupSortedSet, Since: "2.8.9", Complexity: "O(log(N)+M), M the members returned",
		Summary: "Returns the members within a lexicographic range, last first (ZRANGE ... BYLEX REV)."},
	{Name: "zlexcount", Arity: 4, Flags: ReadOnly | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupSortedSet, Since: "2.8.9", Complexity: "O(log(N)), N the set's size",
		Summary: "Counts the members within a lexicographic range."},
	{Name: "zremrangebyrank", Arity: 4, Flags: Write, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRW | KeyDelete),
		Group:    GroupSortedSet, Since: "2.0.0", Complexity: "O(log(N)+M), M the members removed",
		Summary: "Removes the members within a range of ranks."},
	{Name: "zremrangebyscore", Arity: 4, Flags: Write, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRW | KeyDelete),
		Group:    GroupSortedSet, Since: "1.2.0", Complexity: "O(log(N)+M), M the members removed",
		Summary: "Removes the members whose scores lie within a range."},
	{Name: "zremrangebylex", Arity: 4, Flags: Write, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRW | KeyDelete),
		Group:    GroupSortedSet, Since: "2.8.9", Complexity: "O(log(N)+M), M the members removed",
		Summary: "Removes the members within a lexicographic range."},
	{Name: "zpopmin", Arity: -2, Flags: Write | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRW | KeyAccess | KeyDelete),
		Group:    GroupSortedSet, Since: "5.0.0", Complexity: "O(log(N)*M), M the members popped",
		Summary: "Removes and returns the members with the lowest scores."},
	{Name: "zpopmax", Arity: -2, Flags: Write | Fast, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRW | KeyAccess | KeyDelete),
		Group:    GroupSortedSet, Since: "5.0.0", Complexity: "O(log(N)*M), M the members popped",
		Summary: "Removes and returns the members with the highest scores."},
	{Name: "zmpop", Arity: -4, Flags: Write, ACL: CatSortedSet,
		KeySpecs: []KeySpec{zsetKeyNum(1, KeyRW|KeyAccess|KeyDelete)},
		Group:    GroupSortedSet, Since: "7.0.0", Complexity: "O(K) + O(M*log(N)), K keys given, M members popped",
		Summary: "Pops the lowest or highest scoring members of the first non-empty sorted set among several keys."},
	{Name: "zrandmember", Arity: -2, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Tips:     zsetNondeterministic,
		Group:    GroupSortedSet, Since: "6.2.0", Complexity: "O(N), N the members returned",
		Summary: "Returns random members, distinct for a positive count, possibly repeated for a negative one."},
	{Name: "zunion", Arity: -3, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: []KeySpec{zsetKeyNum(1, KeyRO|KeyAccess)},
		Group:    GroupSortedSet, Since: "6.2.0", Complexity: "O(N)+O(M*log(M)), N the input sizes summed, M the result's size",
		Summary: "Returns the union of sorted sets (or sets), scores weighted and aggregated."},
	{Name: "zinter", Arity: -3, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: []KeySpec{zsetKeyNum(1, KeyRO|KeyAccess)},
		Group:    GroupSortedSet, Since: "6.2.0", Complexity: "O(N*K)+O(M*log(M)), N the smallest input, K the inputs, M the result's size",
		Summary: "Returns the intersection of sorted sets (or sets), scores weighted and aggregated."},
	{Name: "zdiff", Arity: -3, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: []KeySpec{zsetKeyNum(1, KeyRO|KeyAccess)},
		Group:    GroupSortedSet, Since: "6.2.0", Complexity: "O(L + (N-K)log(N)), L all inputs' members, N the first input's, K the result's",
		Summary: "Returns the members of the first sorted set that no other given set holds."},
	{Name: "zunionstore", Arity: -4, Flags: Write | DenyOOM, ACL: CatSortedSet,
		KeySpecs: zsetStoreKeys,
		Group:    GroupSortedSet, Since: "2.0.0", Complexity: "O(N)+O(M*log(M)), N the input sizes summed, M the result's size",
		Summary: "Stores the union of sorted sets (or sets) in a key."},
	{Name: "zinterstore", Arity: -4, Flags: Write | DenyOOM, ACL: CatSortedSet,
		KeySpecs: zsetStoreKeys,
		Group:    GroupSortedSet, Since: "2.0.0", Complexity: "O(N*K)+O(M*log(M)), N the smallest input, K the inputs, M the result's size",
		Summary: "Stores the intersection of sorted sets (or sets) in a key."},
	{Name: "zdiffstore", Arity: -4, Flags: Write | DenyOOM, ACL: CatSortedSet,
		KeySpecs: zsetStoreKeys,
		Group:    GroupSortedSet, Since: "6.2.0", Complexity: "O(L + (N-K)log(N)), L all inputs' members, N the first input's, K the result's",
		Summary: "Stores in a key the members of the first sorted set that no other given set holds."},
	{Name: "zintercard", Arity: -3, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: []KeySpec{zsetKeyNum(1, KeyRO|KeyAccess)},
		Group:    GroupSortedSet, Since: "7.0.0", Complexity: "O(N*K), N the smallest input, K the inputs",
		Summary: "Counts the members common to sorted sets (or sets), optionally stopping at a limit."},
	{Name: "bzpopmin", Arity: -3, Flags: Write | NoScript | Blocking | Fast, ACL: CatSortedSet,
		KeySpecs: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1, LastKey: -2, Step: 1}},
		Group:    GroupSortedSet, Since: "5.0.0", Complexity: "O(log(N)), N the set's size",
		Summary: "Pops the lowest scoring member of the first non-empty sorted set among several keys, waiting for one if all are empty."},
	{Name: "bzpopmax", Arity: -3, Flags: Write | NoScript | Blocking | Fast, ACL: CatSortedSet,
		KeySpecs: []KeySpec{{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1, LastKey: -2, Step: 1}},
		Group:    GroupSortedSet, Since: "5.0.0", Complexity: "O(log(N)), N the set's size",
		Summary: "Pops the highest scoring member of the first non-empty sorted set among several keys, waiting for one if all are empty."},
	{Name: "bzmpop", Arity: -5, Flags: Write | Blocking, ACL: CatSortedSet,
		KeySpecs: []KeySpec{zsetKeyNum(2, KeyRW|KeyAccess|KeyDelete)},
		Group:    GroupSortedSet, Since: "7.0.0", Complexity: "O(K) + O(M*log(N)), K keys given, M members popped",
		Summary: "ZMPOP that waits for one of the sorted sets to get members when all are empty."},
	{Name: "zscan", Arity: -3, Flags: ReadOnly, ACL: CatSortedSet,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Tips:     zsetNondeterministic,
		Group:    GroupSortedSet, Since: "2.8.0", Complexity: "O(1) a call, O(N) for a whole iteration",
		Summary: "Iterates over the members and scores of a sorted set with a cursor."},
}
