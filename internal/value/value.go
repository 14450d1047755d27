// Package value defines the values a key can hold, one file per Redis type.
package value

// Type is a Redis data type, as TYPE names it.
type Type uint8

// The Redis data types.
const (
	TypeString Type = iota
	TypeList
	TypeSet
	TypeZSet
	TypeHash
	TypeStream
)

var typeNames = [...]string{"string", "list", "set", "zset", "hash", "stream"}

// String returns the name TYPE replies with.
func (t Type) String() string { return typeNames[t] }

// ParseType maps a TYPE name ("string", "zset", ...) to its Type.
func ParseType(name string) (Type, bool) {
	for i, n := range typeNames {
		if n == name {
			return Type(i), true
		}
	}
	return 0, false
}

// Value is what a key holds.
type Value interface {
	// Type is the Redis type.
	Type() Type
	// Encoding is the name OBJECT ENCODING reports.
	Encoding() string
	// Clone returns a deep copy, for COPY.
	Clone() Value
}
