package cache

import (
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"
	"unsafe"
)

// bytesOf returns s's bytes without copying them. The slice must not be
// modified: Codec.Unmarshal's contract.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// fastJSON decodes data into *v without reflection when T is string, []byte
// or json.RawMessage and data is in the form encoding/json writes such a
// value (a string without escapes, a base64 string, a compact document),
// giving exactly what json.Unmarshal would. It reports false, leaving *v
// alone, for anything else: the caller then uses the codec.
func fastJSON[T any](v *T, data string) bool {
	switch p := any(v).(type) {
	case *string:
		s, ok := plainJSONString(data)
		if ok {
			*p = s // shares data's memory: strings are immutable
		}
		return ok
	case *[]byte:
		s, ok := plainJSONString(data)
		if !ok || !isBase64(s) {
			return false
		}
		b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Decode(b, bytesOf(s))
		if err != nil {
			return false // json.Unmarshal reports it
		}
		*p = b[:n]
		return true
	case *json.RawMessage:
		// json.Unmarshal hands RawMessage the value without the
		// whitespace around it; a value with none is stored as is.
		if len(data) == 0 || isJSONSpace(data[0]) || isJSONSpace(data[len(data)-1]) || !json.Valid(bytesOf(data)) {
			return false
		}
		*p = json.RawMessage(data) // a copy: the caller may modify it
		return true
	}
	return false
}

// plainJSONString returns the contents of a JSON string literal that has
// no escapes, no control characters and only valid UTF-8: the contents are
// then exactly what json.Unmarshal decodes it to.
func plainJSONString(data string) (string, bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return "", false
	}
	s := data[1 : len(data)-1]
	ascii := true
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b < 0x20 || b == '"' || b == '\\':
			return "", false
		case b >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.ValidString(s) {
		return "", false // json.Unmarshal replaces invalid bytes with U+FFFD
	}
	return s, true
}

// isBase64 says whether s uses only the standard base64 alphabet and
// padding (no line breaks, which base64 would skip and JSON escapes).
func isBase64(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '+' || b == '/' || b == '=') {
			return false
		}
	}
	return true
}

func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }
