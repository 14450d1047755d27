package rdb

import "encoding/binary"

// crcPoly is the Jones polynomial (0xad93d23594c935a9) bit-reversed, as
// Redis's crc64 processes bits least significant first.
const crcPoly = 0x95ac9329ac4bc9b5

// crcTables are slicing-by-8 tables: crcTables[0] is the bytewise table,
// crcTables[k] advances a byte followed by k zero bytes.
var crcTables = func() *[8][256]uint64 {
	t := new([8][256]uint64)
	for i := range 256 {
		c := uint64(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ crcPoly
			} else {
				c >>= 1
			}
		}
		t[0][i] = c
	}
	for k := 1; k < 8; k++ {
		for i := range 256 {
			c := t[k-1][i]
			t[k][i] = c>>8 ^ t[0][byte(c)]
		}
	}
	return t
}()

// CRC64 continues Redis's crc64 (Jones polynomial, reflected, no initial
// or final inversion) from crc over b; CRC64(0, b) is a payload's
// checksum.
func CRC64(crc uint64, b []byte) uint64 {
	t := crcTables
	for len(b) >= 8 {
		crc ^= binary.LittleEndian.Uint64(b)
		crc = t[7][byte(crc)] ^ t[6][byte(crc>>8)] ^ t[5][byte(crc>>16)] ^ t[4][byte(crc>>24)] ^
			t[3][byte(crc>>32)] ^ t[2][byte(crc>>40)] ^ t[1][byte(crc>>48)] ^ t[0][byte(crc>>56)]
		b = b[8:]
	}
	for _, x := range b {
		crc = t[0][byte(crc)^x] ^ crc>>8
	}
	return crc
}
