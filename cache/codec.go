package cache

import "encoding/json"

// Codec turns values into the bytes stored in Redis and back.
//
// Implementations must be safe for concurrent use. Marshal receives the value
// passed to Set or returned by a loader; Unmarshal receives a pointer to the
// caller's T.
type Codec interface {
	// Marshal encodes v.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into the value v points to.
	Unmarshal(data []byte, v any) error
}

// JSONCodec is the default Codec: encoding/json. Values stored with it are
// plain JSON, readable by any other service that shares the cache (the
// lesson's microservices case), whatever its language.
type JSONCodec struct{}

// Marshal encodes v as JSON.
func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes JSON data into v.
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
