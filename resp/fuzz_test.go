package resp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReader feeds arbitrary bytes, split into arbitrary chunks, to the
// reader. It checks that the reader never panics or loops, that its only
// errors are protocol errors and the end of input, that the split does not
// change the outcome, that the outcome is the one a one-shot model of
// Redis's parser gives, and that the commands returned, encoded again as
// multibulks, read back the same.
//
// chunks drives the read sizes (each byte is one read's size, 0 meaning a
// read of everything left); flags picks the limits: bit 0 the
// unauthenticated limits, bit 1 a proto-max-bulk-len of 16 bytes.
func FuzzReader(f *testing.F) {
	for _, tc := range framingCases {
		if len(tc.in) <= 4096 {
			f.Add([]byte(tc.in), []byte{1}, byte(0))
		}
	}
	f.Add(stream(), []byte{3, 1, 0, 7}, byte(0))
	f.Add(stream(), []byte{200}, byte(1))
	f.Add([]byte("*2\r\n$4\r\nECHO\r\n$20\r\n01234567890123456789\r\n"), []byte{5}, byte(2))
	f.Add([]byte("*11\r\n"), []byte{0}, byte(1))
	f.Fuzz(func(t *testing.T, data, chunks []byte, flags byte) {
		// The limit is 1 MB rather than 512 MB so that a header alone does
		// not make every run allocate megabytes.
		o := readerOpts{unauth: flags&1 != 0, maxBulk: 1 << 20}
		if flags&2 != 0 {
			o.maxBulk = 16
		}
		sizes := make([]int, 0, len(chunks)+1)
		for _, c := range chunks {
			if c == 0 {
				sizes = append(sizes, len(data)+1)
			} else {
				sizes = append(sizes, int(c))
			}
		}
		if len(sizes) == 0 {
			sizes = append(sizes, len(data)+1)
		}
		got := readAll(t, o.reader(&chunkReader{data: data, sizes: sizes}), len(data))
		var perr *ProtocolError
		if got.err != io.EOF && !errors.As(got.err, &perr) {
			t.Fatalf("error %T %v", got.err, got.err)
		}
		// Up to InlineMax bytes no line can trip a too-big limit, so the
		// outcome cannot depend on how the input was split.
		if len(data) <= InlineMax {
			whole := readAll(t, o.reader(bytes.NewReader(data)), len(data))
			if !got.equal(whole) {
				t.Fatalf("chunks %v: %v\nwhole: %v", sizes, got, whole)
			}
			model := modelParse(data, o)
			if !got.equal(model) {
				t.Fatalf("reader: %v\nmodel:  %v", got, model)
			}
		}
		var enc []byte
		for _, cmd := range got.cmds {
			enc = append(enc, encode(cmd...)...)
		}
		again := readAll(t, NewReader(bytes.NewReader(enc)), len(enc))
		if again.err != io.EOF || !(result{cmds: got.cmds, err: io.EOF}).equal(again) {
			t.Fatalf("re-encoded commands read back as %v, want %q", again, got.cmds)
		}
	})
}

// modelParse parses a complete input in one pass, the way Redis treats a
// buffer holding all of it: a plain restatement of the framing rules that
// shares no code with Reader (it splits inline lines with refSplitArgs).
func modelParse(data []byte, o readerOpts) result {
	maxBulk := int64(DefaultMaxBulkLen)
	if o.maxBulk > 0 {
		maxBulk = o.maxBulk
	}
	var res result
	// lineEnd returns the index of the first '\r' at or after p when it is
	// followed by another byte and no NUL precedes it, else -1.
	lineEnd := func(p int, term byte) int {
		for i := p; i < len(data); i++ {
			switch data[i] {
			case 0:
				return -1
			case term:
				if term == '\r' && i+1 >= len(data) {
					return -1
				}
				return i
			}
		}
		return -1
	}
	p := 0
	for p < len(data) {
		if data[p] != '*' {
			e := lineEnd(p, '\n')
			if e < 0 {
				break
			}
			line := data[p:e]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			args, ok := refSplitArgs(line)
			if !ok {
				res.err = pe("unbalanced quotes in request")
				return res
			}
			if len(args) > 0 {
				res.cmds = append(res.cmds, args)
			}
			p = e + 1
			continue
		}
		e := lineEnd(p, '\r')
		if e < 0 {
			break
		}
		n, ok := parseIntModel(string(data[p+1 : e]))
		if !ok || n > 1<<31-1 {
			res.err = pe("invalid multibulk length")
			return res
		}
		if o.unauth && n > 10 {
			res.err = pe("unauthenticated multibulk length")
			return res
		}
		p = e + 2
		if n <= 0 {
			continue
		}
		var args []string
		for ; n > 0; n-- {
			if p >= len(data) {
				res.err = io.EOF
				return res
			}
			e := lineEnd(p, '\r')
			if e < 0 {
				res.err = io.EOF
				return res
			}
			if data[p] != '$' {
				res.err = pe("expected '$', got '" + string(data[p:p+1]) + "'")
				return res
			}
			l, ok := parseIntModel(string(data[p+1 : e]))
			if !ok || l < 0 || l > maxBulk {
				res.err = pe("invalid bulk length")
				return res
			}
			if o.unauth && l > 16384 {
				res.err = pe("unauthenticated bulk length")
				return res
			}
			p = e + 2
			if int64(len(data)-p) < l+2 {
				res.err = io.EOF
				return res
			}
			args = append(args, string(data[p:p+int(l)]))
			p += int(l) + 2
		}
		res.cmds = append(res.cmds, args)
	}
	res.err = io.EOF
	return res
}
