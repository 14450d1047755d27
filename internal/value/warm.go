package value

// MemberWarmer is a collection whose members a pipeline can warm before
// its commands run (see keyspace.Prefetch): Warm reads what looking up
// each of members will read, and returns a value made of what it read.
type MemberWarmer interface {
	Warm(members [][]byte) uint32
}

// Warm implements MemberWarmer; a small set has nothing to warm.
func (s *Set) Warm(members [][]byte) uint32 {
	if s.ht == nil {
		return 0
	}
	return s.ht.Warm(members)
}

// Warm implements MemberWarmer for fields; a small hash has nothing to
// warm.
func (h *Hash) Warm(fields [][]byte) uint32 {
	if h.ht == nil {
		return 0
	}
	return h.ht.Warm(fields)
}

// Warm implements MemberWarmer for the member table (not the tree); a
// small sorted set has nothing to warm.
func (z *ZSet) Warm(members [][]byte) uint32 {
	if z.big == nil {
		return 0
	}
	return z.big.dict.Warm(members)
}
