package value

// Memory accounting: Size estimates the bytes of Go heap a value holds, in
// O(1) whatever the value's length, so that the keyspace can keep a
// running used-memory count (maxmemory, INFO used_memory, MEMORY USAGE)
// from size deltas on every write.
//
// The figures follow Go's allocator: every allocation is rounded up to its
// size class, pointer-sized words are 8 bytes, and a hash table costs its
// entry allocation plus, on average, one and a half bucket pointers per
// entry (a table grows when it is full and halves its load factor). The
// collections keep running byte counts of their elements (htBytes,
// mbytes) where the element count alone would not do; streams report
// their own packed size (Stream.Bytes).

const (
	// DictBucketBytes is the average bucket-array cost of one hash table
	// entry: 8 to 16 bytes of pointers per entry, and up to 24 while an
	// incremental resize holds both tables.
	DictBucketBytes = 16
	// dictHeader is a dict.Dict (two tables and the rehash index).
	dictHeader = 80
	// roundSlack is the average size-class rounding of a small allocation.
	roundSlack = 8

	stringHeader = 32 // String: slice header and encoding byte
	hashHeader   = 48 // Hash: listpack slice, count, table, byte count
	setHeader    = 48 // Set: width, intset slice, table, byte count
	zsetHeader   = 48 // ZSet: listpack slice, count, tree
	zsBigHeader  = 48 // zsBig: dict, root, leaf ends, byte count
	listHeader   = 64 // List: chunk slice, first, count, chunk bytes, spare (56 B, in the 64 B class)
	chunkHeader  = 48 // listChunk: buffer slice, head, tail, count
	streamHeader = 96 // Stream: blocks, length, IDs, counters

	// Per element of the large encodings: the dict entry (key string,
	// value, next pointer), its bucket share and the element's own
	// allocation's rounding; a sorted set adds its tree item (24 bytes in
	// leaves kept about three quarters full) and inner nodes.
	// The figures are calibrated against the heap's growth in
	// keyspace.TestAccountingMatchesHeap (a resize in progress and
	// half-empty tree leaves included).
	hashPairBytes   = 32 + DictBucketBytes + roundSlack
	setMemberBytes  = 24 + DictBucketBytes + roundSlack + 8
	zsetMemberBytes = 32 + DictBucketBytes + 48 + 4 + roundSlack
)

// Size returns the estimated heap bytes held by v (nil: 0), in O(1).
func Size(v Value) int64 {
	switch v := v.(type) {
	case *PackedString:
		return AllocSize(v.AllocBytes())
	case *String:
		return stringHeader + AllocSize(cap(v.B))
	case *Hash:
		if v.ht == nil {
			return hashHeader + AllocSize(cap(v.lp))
		}
		return hashHeader + dictHeader + int64(v.ht.Len())*hashPairBytes + int64(v.htBytes)
	case *Set:
		if v.ht == nil {
			return setHeader + AllocSize(cap(v.is))
		}
		return setHeader + dictHeader + int64(v.ht.Len())*setMemberBytes + int64(v.htBytes)
	case *ZSet:
		if v.big == nil {
			return zsetHeader + AllocSize(cap(v.lp))
		}
		return zsetHeader + zsBigHeader + dictHeader + int64(v.big.dict.Len())*zsetMemberBytes + int64(v.big.mbytes)
	case *List:
		return listSize(v)
	case *Stream:
		return streamHeader + int64(v.Bytes())
	case nil:
		return 0
	}
	return 64
}

// listSize is a list's header, its chunk slice, its spare chunk and its
// live chunks (List.bytes).
func listSize(l *List) int64 {
	n := listHeader + AllocSize(8*cap(l.chunks)) + l.bytes
	if l.spare != nil {
		n += chunkCost(l.spare)
	}
	return n
}

// chunkCost is what one list chunk takes: its header and its buffer.
func chunkCost(c *listChunk) int64 { return chunkHeader + AllocSize(cap(c.b)) }

// sizeClasses are Go's small-object size classes (runtime/sizeclasses.go).
var sizeClasses = [...]int32{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768,
	896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200,
	3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
	10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760,
	24576, 27264, 28672, 32768,
}

// smallClass maps (n+7)/8 to n's size class for n up to 1024;
// largeClass maps (n+127)/128 to it for n up to 32 KiB (the classes beyond
// 1 KiB are multiples of 128).
var (
	smallClass [129]int32
	largeClass [257]int32
)

func init() {
	classTable(smallClass[:], 8)
	classTable(largeClass[:], 128)
}

// classTable fills t[i] with the size class of i*step bytes.
func classTable(t []int32, step int) {
	c := 0
	for i := range t {
		for int(sizeClasses[c]) < i*step {
			c++
		}
		t[i] = sizeClasses[c]
	}
}

// AllocSize is the heap a Go allocation of n bytes really takes: n
// rounded up to its size class, or to whole 8 KiB pages beyond 32 KiB.
// It is two comparisons and a table load.
func AllocSize(n int) int64 {
	switch {
	case n <= 0:
		return 0
	case n <= 1024:
		return int64(smallClass[(n+7)>>3])
	case n <= 32768:
		return int64(largeClass[(n+127)>>7])
	}
	return int64((n + 8191) &^ 8191)
}

// StringBytes is AllocSize of a string's bytes (a key's).
func StringBytes(s string) int64 { return AllocSize(len(s)) }
