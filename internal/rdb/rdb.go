// Package rdb holds the pieces of Redis's RDB serialization format that
// DUMP / RESTORE and FUNCTION DUMP / RESTORE share: lengths, strings
// (integer-encoded, raw or LZF-compressed exactly as Redis 7.0 writes
// them), a reader for both, and the payload footer (RDB version and
// CRC-64).
package rdb

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/ember-kv/ember/resp"
)

// Version is the RDB format version payloads are written with (Redis
// 7.0's) and the newest one CheckFooter accepts.
const Version = 10

// FooterLen is the size of a payload's footer: the RDB version (2 bytes)
// and the CRC-64 of everything before the checksum (8 bytes), both
// little-endian.
const FooterLen = 10

// Special string encodings (the low six bits of a length byte whose top
// two bits are set).
const (
	EncInt8  = 0
	EncInt16 = 1
	EncInt32 = 2
	EncLZF   = 3
)

// ErrFormat is returned for any malformed input.
var ErrFormat = errors.New("rdb: bad data format")

// AppendLen appends n in RDB's variable-length form: 6 or 14 bits in one
// or two bytes, else a marker byte and 32 or 64 bits big-endian.
func AppendLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|0x40, byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0x81), n)
}

// lenSize is the number of bytes AppendLen writes for n.
func lenSize(n uint64) int {
	switch {
	case n < 1<<6:
		return 1
	case n < 1<<14:
		return 2
	case n <= math.MaxUint32:
		return 5
	}
	return 9
}

// AppendString appends s as Redis writes a string with rdbcompression on:
// a canonical integer of at most 11 characters that fits 32 bits in an
// integer encoding; else, when s is longer than 20 bytes and LZF saves at
// least 4 bytes, compressed; else length-prefixed raw bytes.
func AppendString(b, s []byte) []byte {
	if b2, ok := appendIntString(b, s); ok {
		return b2
	}
	if len(s) > 20 {
		return appendLZFString(b, s)
	}
	b = AppendLen(b, uint64(len(s)))
	return append(b, s...)
}

// AppendStringNoLZF is AppendString with rdbcompression off: integer
// encodings or raw bytes, never compressed.
func AppendStringNoLZF(b, s []byte) []byte {
	if b2, ok := appendIntString(b, s); ok {
		return b2
	}
	b = AppendLen(b, uint64(len(s)))
	return append(b, s...)
}

// appendIntString appends s in an integer encoding when it has one.
func appendIntString(b, s []byte) ([]byte, bool) {
	if len(s) > 11 {
		return b, false
	}
	n, ok := resp.ParseInt(s)
	switch {
	case !ok:
		return b, false
	case n >= math.MinInt8 && n <= math.MaxInt8:
		return append(b, 0xc0|EncInt8, byte(int8(n))), true
	case n >= math.MinInt16 && n <= math.MaxInt16:
		return binary.LittleEndian.AppendUint16(append(b, 0xc0|EncInt16), uint16(int16(n))), true
	case n >= math.MinInt32 && n <= math.MaxInt32:
		return binary.LittleEndian.AppendUint32(append(b, 0xc0|EncInt32), uint32(int32(n))), true
	}
	return b, false
}

// appendLZFString appends s LZF-compressed when the compressed form fits
// in len(s)-4 bytes, else raw. The compressed bytes are written after
// room for the largest header and then moved down over the unused part.
func appendLZFString(b, s []byte) []byte {
	start := len(b)
	limit := len(s) - 4
	room := 1 + lenSize(uint64(limit)) + lenSize(uint64(len(s)))
	b = append(b, make([]byte, room)...)
	b, ok := Compress(b, s, limit)
	if !ok {
		b = AppendLen(b[:start], uint64(len(s)))
		return append(b, s...)
	}
	clen := len(b) - start - room
	var hdr [1 + 9 + 9]byte
	h := AppendLen(append(hdr[:0], 0xc0|EncLZF), uint64(clen))
	h = AppendLen(h, uint64(len(s)))
	copy(b[start:], h)
	copy(b[start+len(h):], b[start+room:])
	return b[:start+len(h)+clen]
}

// AppendFooter appends the RDB version and the CRC-64 of everything in b
// (the version included), completing a DUMP payload.
func AppendFooter(b []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, Version)
	return binary.LittleEndian.AppendUint64(b, CRC64(0, b))
}

// CheckFooter reports whether payload ends with an RDB version this
// package reads and a CRC-64 matching the bytes before it, as RESTORE
// and FUNCTION RESTORE require.
func CheckFooter(payload []byte) bool {
	n := len(payload)
	if n < FooterLen {
		return false
	}
	if binary.LittleEndian.Uint16(payload[n-FooterLen:]) > Version {
		return false
	}
	return binary.LittleEndian.Uint64(payload[n-8:]) == CRC64(0, payload[:n-8])
}
