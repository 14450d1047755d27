package compat

import (
	"bufio"
	"bytes"
	"fmt"
	"sort"
	"strconv"
)

// replyTree is a parsed reply, kept close to the wire so that it can be
// re-encoded byte for byte after a normalization (sorting an unordered
// part, blanking a value that legitimately differs).
type replyTree struct {
	kind  byte   // '+', '-', ':', '$', '*', '%', '~', '_', '=', ...
	head  []byte // the first line, CRLF included
	body  []byte // bulk and verbatim payloads, CRLF excluded
	elems []*replyTree
}

// parseReplyTree parses one complete reply.
func parseReplyTree(b []byte) (*replyTree, error) {
	r := bufio.NewReader(bytes.NewReader(b))
	n, err := readReplyTree(r)
	if err != nil {
		return nil, err
	}
	if r.Buffered() != 0 {
		return nil, fmt.Errorf("trailing bytes after reply")
	}
	return n, nil
}

func readReplyTree(r *bufio.Reader) (*replyTree, error) {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 {
		return nil, fmt.Errorf("short line %q", line)
	}
	n := &replyTree{kind: line[0], head: line}
	body := string(line[1 : len(line)-2])
	switch n.kind {
	case '$', '=', '!':
		size, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if size < 0 {
			return n, nil
		}
		buf := make([]byte, size+2)
		if _, err := ioReadFull(r, buf); err != nil {
			return nil, err
		}
		n.body = buf[:size]
	case '*', '~', '>', '%', '|':
		size, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n.kind == '%' || n.kind == '|' {
			size *= 2
		}
		for i := 0; i < size; i++ {
			e, err := readReplyTree(r)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, e)
		}
	}
	return n, nil
}

// encode renders the node back to RESP, recomputing bulk lengths.
func (n *replyTree) encode() []byte {
	var b bytes.Buffer
	n.encodeTo(&b)
	return b.Bytes()
}

func (n *replyTree) encodeTo(b *bytes.Buffer) {
	switch n.kind {
	case '$', '=', '!':
		if n.body == nil && bytes.HasPrefix(n.head[1:], []byte("-")) {
			b.Write(n.head)
			return
		}
		fmt.Fprintf(b, "%c%d\r\n", n.kind, len(n.body))
		b.Write(n.body)
		b.WriteString("\r\n")
	case '*', '~', '>', '%', '|':
		b.Write(n.head)
		for _, e := range n.elems {
			e.encodeTo(b)
		}
	default:
		b.Write(n.head)
	}
}

// text is the node's string payload: a bulk's body, or a simple reply's
// line without its type byte.
func (n *replyTree) text() string {
	switch n.kind {
	case '$', '=', '!':
		return string(n.body)
	}
	return string(n.head[1 : len(n.head)-2])
}

// pairs returns a map reply's (or a RESP2 flat map's) key/value pairs.
func (n *replyTree) pairs() map[string]*replyTree {
	m := map[string]*replyTree{}
	for i := 0; i+1 < len(n.elems); i += 2 {
		m[n.elems[i].text()] = n.elems[i+1]
	}
	return m
}

// sortElems sorts an aggregate's elements by their encoding.
func (n *replyTree) sortElems() {
	sort.SliceStable(n.elems, func(i, j int) bool {
		return bytes.Compare(n.elems[i].encode(), n.elems[j].encode()) < 0
	})
}

// sortPairs sorts a map's key/value pairs by key encoding.
func (n *replyTree) sortPairs() {
	type kv struct{ k, v *replyTree }
	var ps []kv
	for i := 0; i+1 < len(n.elems); i += 2 {
		ps = append(ps, kv{n.elems[i], n.elems[i+1]})
	}
	sort.SliceStable(ps, func(i, j int) bool {
		return bytes.Compare(ps[i].k.encode(), ps[j].k.encode()) < 0
	})
	n.elems = n.elems[:0]
	for _, p := range ps {
		n.elems = append(n.elems, p.k, p.v)
	}
}
