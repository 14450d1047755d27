package cache

import (
	"encoding"
	"encoding/json"
	"hash/maphash"
	"reflect"
	"sync"
	"sync/atomic"
)

// The decode memo. A hot key is read far more often than it changes, and
// decoding its JSON (reflection, two passes over the bytes, an allocation
// per field) costs as much as a tenth of the round trip that fetched it.
// Each Cache therefore remembers, in a few slots indexed by key, the last
// bytes it decoded as some type and the value they gave; a read that
// fetches the very same bytes as the same type gets a copy of that value.
//
// This is only done where a copy is as good as a fresh decode: the default
// codec (JSONCodec, a pure function of the bytes), and value types that
// hold nothing shared but strings, which are immutable: booleans, numbers,
// strings, and arrays and structs of them, none with its own UnmarshalJSON
// or UnmarshalText. A type with a pointer, slice, map or interface inside
// is decoded every time, so callers never share memory they could modify.

const (
	// memoSlots is the number of values a Cache remembers.
	memoSlots = 64
	// memoMaxLen bounds the size of a remembered value's bytes.
	memoMaxLen = 16 << 10
)

// memoEntry is one remembered decode: data decoded as typ gave v.
type memoEntry struct {
	typ  reflect.Type
	data string
	v    any
}

type decodeMemo struct {
	seed  maphash.Seed
	slots [memoSlots]atomic.Pointer[memoEntry]
}

func (m *decodeMemo) slot(key string) *atomic.Pointer[memoEntry] {
	return &m.slots[maphash.String(m.seed, key)%memoSlots]
}

// decodeMemoized decodes data as T under JSONCodec through the memo.
func decodeMemoized[T any](c *Cache, key, data string) (T, error) {
	typ := reflect.TypeFor[T]()
	slot := c.memo.slot(key)
	if e := slot.Load(); e != nil && e.typ == typ && e.data == data {
		return e.v.(T), nil
	}
	v, err := decodeCodec[T](c, key, data)
	if err == nil && memoable(typ) {
		slot.Store(&memoEntry{typ: typ, data: data, v: v})
	}
	return v, err
}

// memoTypes caches memoable's verdict per type.
var memoTypes sync.Map // reflect.Type → bool

// memoable says whether values of t can be handed out as copies: see the
// comment at the top of this file.
func memoable(t reflect.Type) bool {
	if ok, found := memoTypes.Load(t); found {
		return ok.(bool)
	}
	ok := plainValueType(t, 0)
	memoTypes.Store(t, ok)
	return ok
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func plainValueType(t reflect.Type, depth int) bool {
	if depth > 16 {
		return false
	}
	pt := reflect.PointerTo(t)
	if t.Implements(jsonUnmarshalerType) || pt.Implements(jsonUnmarshalerType) ||
		t.Implements(textUnmarshalerType) || pt.Implements(textUnmarshalerType) {
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Array:
		return plainValueType(t.Elem(), depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			if !plainValueType(t.Field(i).Type, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}
