package cache

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

type record struct {
	ID      int64
	Name    string
	Tags    []string
	Scores  map[string]float64
	Created time.Time
	Blob    []byte
}

var sample = record{
	ID:      1 << 60,
	Name:    "ember",
	Tags:    []string{"a", "b"},
	Scores:  map[string]float64{"x": 1.5},
	Created: time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC),
	Blob:    []byte{0, 1, 2, 255},
}

func equalRecord(a, b record) bool {
	return a.ID == b.ID && a.Name == b.Name && strings.Join(a.Tags, ",") == strings.Join(b.Tags, ",") &&
		len(a.Scores) == len(b.Scores) && a.Scores["x"] == b.Scores["x"] && a.Created.Equal(b.Created) &&
		bytes.Equal(a.Blob, b.Blob)
}

func TestCodecRoundTrip(t *testing.T) {
	codecs := map[string]Codec{
		"json":            JSONCodec{},
		"gob":             GobCodec{},
		"compress-json":   CompressCodec{},
		"compress-gob":    CompressCodec{Codec: GobCodec{}, Threshold: 1},
		"compress-always": CompressCodec{Threshold: 1, Level: flate.BestSpeed},
	}
	for name, codec := range codecs {
		data, err := codec.Marshal(sample)
		if err != nil {
			t.Fatalf("%s: Marshal: %v", name, err)
		}
		if bytes.HasPrefix(data, negativeMarker[:1]) {
			t.Fatalf("%s: output starts with the negative marker's NUL", name)
		}
		var got record
		if err := codec.Unmarshal(data, &got); err != nil {
			t.Fatalf("%s: Unmarshal: %v", name, err)
		}
		if !equalRecord(got, sample) {
			t.Fatalf("%s: round trip = %+v, want %+v", name, got, sample)
		}
	}
	// Scalars and nil-able values through gob.
	var s string
	data, _ := GobCodec{}.Marshal("hello")
	if err := (GobCodec{}).Unmarshal(data, &s); err != nil || s != "hello" {
		t.Fatalf("gob string: %q, %v", s, err)
	}
}

func TestCompressThreshold(t *testing.T) {
	codec := CompressCodec{Threshold: 100}
	// Below the threshold: plain JSON, no marker.
	small, err := codec.Marshal(lamp)
	if err != nil {
		t.Fatal(err)
	}
	if string(small) != `{"id":1,"name":"Desk lamp","price":2999}` {
		t.Fatalf("small value stored as %q, want plain JSON", small)
	}
	// At or above it: the marker and a raw DEFLATE stream any inflater
	// reads.
	big := strings.Repeat("ember ", 100)
	data, err := codec.Marshal(big)
	if err != nil {
		t.Fatal(err)
	}
	if data[0] != markerDeflate || len(data) >= len(big) {
		t.Fatalf("big value: first byte %#x, %d bytes; want 0x02 and compressed", data[0], len(data))
	}
	plain, err := io.ReadAll(flate.NewReader(bytes.NewReader(data[1:])))
	if err != nil || string(plain) != `"`+big+`"` {
		t.Fatalf("inflating by hand: %q, %v", plain, err)
	}
	var got string
	if err := codec.Unmarshal(data, &got); err != nil || got != big {
		t.Fatalf("Unmarshal: %q, %v", got, err)
	}
	// Incompressible data above the threshold is stored as it is.
	noise := make([]byte, 300)
	for i := range noise {
		noise[i] = byte(i*7919 + i*i*31)
	}
	data, _ = codec.Marshal(noise) // JSON: a base64 string
	if data[0] == markerDeflate && len(data) > 300*4/3+3 {
		t.Fatalf("incompressible value grew: %d bytes", len(data))
	}
	// Inner bytes that begin with a marker byte are escaped.
	esc := CompressCodec{Codec: rawCodec{}, Threshold: 1000}
	for _, in := range [][]byte{{markerRaw, 'x'}, {markerDeflate, 'y'}, {'z'}, {}} {
		out, err := esc.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var back []byte
		if err := esc.Unmarshal(out, &back); err != nil || !bytes.Equal(back, in) {
			t.Fatalf("escape round trip of %q via %q: %q, %v", in, out, back, err)
		}
		if len(in) > 0 && in[0] <= markerDeflate && out[0] != markerRaw {
			t.Fatalf("%q not escaped: %q", in, out)
		}
	}
	// Values written without compression stay readable with it on.
	var p product
	if err := codec.Unmarshal([]byte(`{"id":3}`), &p); err != nil || p.ID != 3 {
		t.Fatalf("reading an uncompressed value: %+v, %v", p, err)
	}
	// A corrupt compressed value is an error.
	if err := codec.Unmarshal([]byte{markerDeflate, 0xff, 0xff}, &got); !errors.Is(err, errCorrupt) {
		t.Fatalf("corrupt value: err = %v", err)
	}
}

// rawCodec stores []byte values as they are.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = append([]byte(nil), data...)
	return nil
}

// TestCodecsThroughCache: each codec through Set, Get and GetOrLoad, and
// the default one readable as plain JSON by any client, whatever else is on.
func TestCodecsThroughCache(t *testing.T) {
	srv, _ := newServer(t)
	rdb := newClient(t, srv.Addr())
	ctx := testCtx(t)
	for name, codec := range map[string]Codec{"gob": GobCodec{}, "compress": CompressCodec{Codec: GobCodec{}, Threshold: 10}} {
		c := New(rdb, Options{Prefix: name + ":", Codec: codec})
		if err := c.Set(ctx, "r", sample, time.Minute); err != nil {
			t.Fatal(err)
		}
		got, err := Get[record](ctx, c, "r")
		if err != nil || !equalRecord(got, sample) {
			t.Fatalf("%s: Get = %+v, %v", name, got, err)
		}
		got, err = GetOrLoad(ctx, c, "r2", time.Minute, func(context.Context) (record, error) { return sample, nil })
		if err != nil || !equalRecord(got, sample) {
			t.Fatalf("%s: GetOrLoad = %+v, %v", name, got, err)
		}
		if got, err = Get[record](ctx, c, "r2"); err != nil || !equalRecord(got, sample) {
			t.Fatalf("%s: Get after GetOrLoad = %+v, %v", name, got, err)
		}
	}

	// Interop: with the default codec, stale-while-revalidate and a near
	// cache on, what GET returns is the plain JSON document.
	c := nearCache(t, rdb, Options{Prefix: "i:", StaleWhileRevalidate: time.Minute, EarlyRefresh: 1})
	if _, err := GetOrLoad(ctx, c, "p", time.Minute, func(context.Context) (product, error) { return lamp, nil }); err != nil {
		t.Fatal(err)
	}
	raw, err := rdb.Get(ctx, "i:p").Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var p product
	if err := json.Unmarshal(raw, &p); err != nil || p != lamp {
		t.Fatalf("GET i:p = %q: %+v, %v; want plain JSON of %+v", raw, p, err, lamp)
	}
	// And what another service writes as plain JSON, the cache reads.
	if err := rdb.Set(ctx, "i:q", `{"id":5,"name":"Lamp shade","price":999}`, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := Get[product](ctx, c, "q"); err != nil || got.Name != "Lamp shade" {
		t.Fatalf("reading a foreign JSON value: %+v, %v", got, err)
	}
}
