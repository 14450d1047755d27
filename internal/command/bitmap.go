package command

func init() { add(bitmapSpecs) }

var bitmapSpecs = []*Spec{
	{Name: "setbit", Arity: 4, Flags: Write | DenyOOM, ACL: CatBitmap,
		KeySpecs: firstKey(KeyRW | KeyAccess | KeyUpdate),
		Group:    GroupBitmap, Since: "2.2.0", Complexity: "O(1)",
		Summary: "Sets or clears one bit of the string stored at a key and returns its old value."},
	{Name: "getbit", Arity: 3, Flags: ReadOnly | Fast, ACL: CatBitmap,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupBitmap, Since: "2.2.0", Complexity: "O(1)",
		Summary: "Returns one bit of the string stored at a key."},
	{Name: "bitcount", Arity: -2, Flags: ReadOnly, ACL: CatBitmap,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupBitmap, Since: "2.6.0", Complexity: "O(N)",
		Summary: "Counts the set bits of the string stored at a key, optionally within a byte or bit range."},
	{Name: "bitpos", Arity: -3, Flags: ReadOnly, ACL: CatBitmap,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupBitmap, Since: "2.8.7", Complexity: "O(N)",
		Summary: "Finds the first set or clear bit of the string stored at a key, optionally within a range."},
	{Name: "bitop", Arity: -4, Flags: Write | DenyOOM, ACL: CatBitmap,
		KeySpecs: []KeySpec{
			{Flags: KeyOW | KeyUpdate, Index: 2, LastKey: 0, Step: 1},
			{Flags: KeyRO | KeyAccess, Index: 3, LastKey: -1, Step: 1},
		},
		Group: GroupBitmap, Since: "2.6.0", Complexity: "O(N)",
		Summary: "Combines strings bit by bit (AND, OR, XOR, NOT) and stores the result at a key."},
	{Name: "bitfield", Arity: -2, Flags: Write | DenyOOM, ACL: CatBitmap,
		KeySpecs: []KeySpec{{Notes: "This command allows both access and modification of the key",
			Flags: KeyRW | KeyAccess | KeyUpdate | KeyVariableFlags, Index: 1, LastKey: 0, Step: 1}},
		Group: GroupBitmap, Since: "3.2.0", Complexity: "O(1) per operation",
		Summary: "Reads, writes and increments integers of any width at any bit offset of a string."},
	{Name: "bitfield_ro", Arity: -2, Flags: ReadOnly | Fast, ACL: CatBitmap,
		KeySpecs: firstKey(KeyRO | KeyAccess),
		Group:    GroupBitmap, Since: "6.0.0", Complexity: "O(1) per operation",
		Summary: "Reads integers of any width at any bit offset of a string."},
}
