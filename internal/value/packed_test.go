package value

import (
	"bytes"
	"strings"
	"testing"
)

func TestPackedStringLayout(t *testing.T) {
	lengths := []int{0, 1, 10, 30, 31, 32, 44, 45, 127, 128, 300, 16383, 16384, 100_000}
	keys := [][]byte{nil, {}, []byte("k"), []byte(strings.Repeat("k", 127)),
		[]byte(strings.Repeat("q", 128)), []byte(strings.Repeat("z", 20_000))}
	for _, n := range lengths {
		b := bytes.Repeat([]byte{'x'}, n)
		if n > 0 {
			b[0], b[n-1] = 'a', 'z'
		}
		for _, key := range keys {
			p := NewPackedStringAt(key, b)
			if !bytes.Equal(p.Bytes(), b) || p.Len() != n || cap(p.Bytes()) != n {
				t.Fatalf("len %d key %d: Bytes %q (cap %d)", n, len(key), p.Bytes(), cap(p.Bytes()))
			}
			k, keyed := p.Key()
			if keyed != (key != nil) || k != string(key) {
				t.Fatalf("len %d key %d: Key = %q %v", n, len(key), k, keyed)
			}
			if key != nil && (!p.KeyedBy(key) || p.WithKey(key) != p) {
				t.Fatalf("len %d key %d: not keyed by its own key", n, len(key))
			}
			if p.KeyedBy([]byte("other")) {
				t.Fatalf("len %d key %d: keyed by another key", n, len(key))
			}
			// The header is at most a few bytes past key and value.
			if over := p.AllocBytes() - len(key) - n; over < 1 || over > 7 {
				t.Fatalf("len %d key %d: %d header bytes", n, len(key), over)
			}
			moved := p.WithKey([]byte("new-key"))
			if k, _ := moved.Key(); k != "new-key" || !bytes.Equal(moved.Bytes(), b) || moved.Encoding() != p.Encoding() {
				t.Fatalf("len %d key %d: WithKey gave %q %q %s", n, len(key), k, moved.Bytes(), moved.Encoding())
			}
			c := p.Clone().(*PackedString)
			if _, keyed := c.Key(); keyed || !bytes.Equal(c.Bytes(), b) {
				t.Fatalf("len %d key %d: Clone", n, len(key))
			}
		}
	}
}

func TestPackedStringEncoding(t *testing.T) {
	cases := []struct {
		in, enc string
	}{
		{"123", EncInt}, {"-9223372036854775808", EncInt}, {"0123", EncEmbStr},
		{"hello", EncEmbStr}, {strings.Repeat("a", 44), EncEmbStr}, {strings.Repeat("a", 45), EncRaw},
	}
	for _, c := range cases {
		if got := NewPackedString([]byte(c.in)).Encoding(); got != c.enc {
			t.Errorf("%q: encoding %s, want %s", c.in, got, c.enc)
		}
		if got := NewString([]byte(c.in)).Encoding(); got != c.enc {
			t.Errorf("%q: String encoding %s, want %s", c.in, got, c.enc)
		}
	}
	if got := NewPackedStringByLen(nil, []byte("12")).Encoding(); got != EncEmbStr {
		t.Errorf("ByLen encoding %s", got)
	}
	if n, ok := NewPackedInt([]byte("k"), -42).Int(); !ok || n != -42 {
		t.Errorf("NewPackedInt: %d %v", n, ok)
	}
}

func TestPackedStringSetIntSameLen(t *testing.T) {
	p := NewPackedStringAt([]byte("counter"), []byte("10"))
	if !p.SetIntSameLen(11) || string(p.Bytes()) != "11" || p.Encoding() != EncInt {
		t.Fatalf("11: %q %s", p.Bytes(), p.Encoding())
	}
	if p.SetIntSameLen(100) || string(p.Bytes()) != "11" {
		t.Fatalf("100 should not fit: %q", p.Bytes())
	}
	if k, _ := p.Key(); k != "counter" {
		t.Fatalf("key changed: %q", k)
	}
	u := p.Unpacked()
	u.Append([]byte("x"))
	if string(u.Bytes()) != "11x" || string(p.Bytes()) != "11" || u.Encoding() != EncRaw {
		t.Fatalf("Unpacked shares bytes: %q %q", u.Bytes(), p.Bytes())
	}
}

func FuzzPackedString(f *testing.F) {
	f.Add([]byte("key"), []byte("value"))
	f.Add([]byte{}, []byte("12345"))
	f.Fuzz(func(t *testing.T, key, val []byte) {
		p := NewPackedStringAt(key, val)
		if !bytes.Equal(p.Bytes(), val) {
			t.Fatalf("Bytes %q, want %q", p.Bytes(), val)
		}
		if k, ok := p.Key(); !ok || k != string(key) {
			t.Fatalf("Key %q", k)
		}
		if want := NewString(val).Encoding(); p.Encoding() != want {
			t.Fatalf("Encoding %s, want %s", p.Encoding(), want)
		}
		if Size(p) < int64(len(key)+len(val)+1) {
			t.Fatalf("Size %d below its bytes", Size(p))
		}
	})
}

// TestAllocSize checks the size-class tables against the class list: the
// smallest class that holds n, for every n up to 32 KiB.
func TestAllocSize(t *testing.T) {
	for n := 1; n <= 32768; n++ {
		want := int64(0)
		for _, c := range sizeClasses {
			if int(c) >= n {
				want = int64(c)
				break
			}
		}
		if got := AllocSize(n); got != want {
			t.Fatalf("AllocSize(%d) = %d, want %d", n, got, want)
		}
	}
	if AllocSize(0) != 0 || AllocSize(32769) != 40960 {
		t.Fatalf("AllocSize(0) = %d, AllocSize(32769) = %d", AllocSize(0), AllocSize(32769))
	}
}
