package value

import (
	"bytes"
	"math"
	"slices"
	"strconv"
)

// Geo support: positions stored in sorted sets, as Redis stores them. A
// position is a 52-bit geohash (26 bits of longitude and 26 of latitude,
// interleaved, latitude in the even bits) used as the member's score.
// Latitudes are limited to the Web Mercator range, ±85.05112878 degrees.
//
// Every computation below follows Redis's arithmetic step by step (the
// same operations in the same order, in IEEE double precision, never fused)
// so that decoded positions, distances and search results are exactly the
// ones Redis replies.

// Limits of the coordinates a geo set accepts.
const (
	GeoLongMin = -180.0
	GeoLongMax = 180.0
	GeoLatMin  = -85.05112878
	GeoLatMax  = 85.05112878
)

// geoStepMax is the precision of a stored position: 26 bits per axis.
const geoStepMax = 26

// The coordinate ranges, as run-time values so that arithmetic on them is
// done in double precision, not as exact constant expressions.
var (
	geoLongLo, geoLongHi = GeoLongMin, GeoLongMax
	geoLatLo, geoLatHi   = GeoLatMin, GeoLatMax
	geoStdLatLo          = -90.0
	geoStdLatHi          = 90.0
	geoPi                = math.Pi
	geoDegToRad          = geoPi / 180.0 // rounded as C rounds M_PI/180.0
	geoMercatorMax       = 20037726.37
)

// GeoEarthRadius is the earth radius Redis uses, in meters.
const GeoEarthRadius = 6372797.560856

// geoCell is a geohash cell: bits (2*step of them) at a precision of step
// bits per axis. The zero cell (step 0) stands for "no cell".
type geoCell struct {
	bits uint64
	step uint8
}

func (h geoCell) isZero() bool { return h.bits == 0 && h.step == 0 }

// geoArea is the extent of a cell.
type geoArea struct {
	lonMin, lonMax, latMin, latMax float64
}

// GeoValid reports whether a longitude/latitude pair may be stored.
func GeoValid(lon, lat float64) bool {
	return !(lon < GeoLongMin || lon > GeoLongMax || lat < GeoLatMin || lat > GeoLatMax)
}

// geoSpread moves the low 32 bits of v to the even bit positions.
func geoSpread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// geoSqueeze gathers the even bits of v into the low 32 bits.
func geoSqueeze(v uint64) uint32 {
	x := v & 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	return uint32(x)
}

// geoEncodeIn computes the cell of lon,lat at step bits per axis within
// the given ranges. ok is false outside the storable limits or the ranges.
func geoEncodeIn(lonLo, lonHi, latLo, latHi, lon, lat float64, step uint8) (geoCell, bool) {
	if !GeoValid(lon, lat) {
		return geoCell{}, false
	}
	if lat < latLo || lat > latHi || lon < lonLo || lon > lonHi {
		return geoCell{step: step}, false
	}
	latOff := (lat - latLo) / (latHi - latLo)
	lonOff := (lon - lonLo) / (lonHi - lonLo)
	scale := float64(uint64(1) << step)
	latOff = float64(latOff * scale)
	lonOff = float64(lonOff * scale)
	return geoCell{bits: geoSpread(uint32(latOff)) | geoSpread(uint32(lonOff))<<1, step: step}, true
}

func geoEncode(lon, lat float64, step uint8) (geoCell, bool) {
	return geoEncodeIn(geoLongLo, geoLongHi, geoLatLo, geoLatHi, lon, lat, step)
}

// GeoScore is the score that stores the position lon,lat (which must be
// valid): its 52-bit geohash.
func GeoScore(lon, lat float64) float64 {
	h, _ := geoEncode(lon, lat, geoStepMax)
	return float64(h.bits << (52 - 2*geoStepMax))
}

// geoDecodeIn computes the extent of a cell within the given ranges.
func geoDecodeIn(lonLo, lonHi, latLo, latHi float64, h geoCell) geoArea {
	latScale := latHi - latLo
	lonScale := lonHi - lonLo
	ilat := geoSqueeze(h.bits)
	ilon := geoSqueeze(h.bits >> 1)
	div := float64(uint64(1) << h.step)
	return geoArea{
		latMin: latLo + float64(float64(float64(ilat)*1.0)/div*latScale),
		latMax: latLo + float64(float64(float64(ilat+1)*1.0)/div*latScale),
		lonMin: lonLo + float64(float64(float64(ilon)*1.0)/div*lonScale),
		lonMax: lonLo + float64(float64(float64(ilon+1)*1.0)/div*lonScale),
	}
}

func geoDecode(h geoCell) geoArea {
	return geoDecodeIn(geoLongLo, geoLongHi, geoLatLo, geoLatHi, h)
}

// geoScoreBits converts a score to the 64-bit integer the geohash is read
// from, as C's double to uint64_t conversion does on x86-64 (scores out of
// range, which only non-geo scores can be, convert as that hardware does).
func geoScoreBits(d float64) uint64 {
	const two63 = 9223372036854775808.0
	switch {
	case d >= two63:
		v := d - two63
		if v >= two63 {
			return 0 // the conversion overflows: 1<<63, then the top bit flips
		}
		return uint64(int64(v)) ^ 1<<63
	case d >= -two63:
		return uint64(int64(d))
	default: // below -2^63, or NaN
		return 1 << 63
	}
}

// GeoPosition decodes a score into the longitude and latitude of the
// centre of its cell, clamped to the storable limits.
func GeoPosition(score float64) (lon, lat float64) {
	a := geoDecode(geoCell{bits: geoScoreBits(score), step: geoStepMax})
	lon = (a.lonMin + a.lonMax) / 2
	lon = min(max(lon, GeoLongMin), GeoLongMax)
	lat = (a.latMin + a.latMax) / 2
	lat = min(max(lat, GeoLatMin), GeoLatMax)
	return lon, lat
}

const geoAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// GeoHashString is GEOHASH's reply for a score: the 11-character base32
// geohash of the decoded position, encoded again with the standard
// latitude range ±90 (the last character is always '0').
func GeoHashString(score float64) string {
	lon, lat := GeoPosition(score)
	h, _ := geoEncodeIn(geoLongLo, geoLongHi, geoStdLatLo, geoStdLatHi, lon, lat, geoStepMax)
	var buf [11]byte
	for i := 0; i < 10; i++ {
		buf[i] = geoAlphabet[(h.bits>>(52-(i+1)*5))&0x1f]
	}
	buf[10] = geoAlphabet[0]
	return string(buf[:])
}

func geoRad(deg float64) float64 { return deg * geoDegToRad }
func geoDeg(rad float64) float64 { return rad / geoDegToRad }

// geoLatDistance is the distance between two latitudes on a meridian.
func geoLatDistance(lat1, lat2 float64) float64 {
	return GeoEarthRadius * math.Abs(geoRad(lat2)-geoRad(lat1))
}

// GeoDistance is the haversine distance in meters between two positions.
func GeoDistance(lon1, lat1, lon2, lat2 float64) float64 {
	lon1r := geoRad(lon1)
	lon2r := geoRad(lon2)
	v := geoSin((lon2r - lon1r) / 2)
	if v == 0 {
		return geoLatDistance(lat1, lat2)
	}
	lat1r := geoRad(lat1)
	lat2r := geoRad(lat2)
	u := geoSin((lat2r - lat1r) / 2)
	a := float64(u*u) + float64(float64(float64(geoCos(lat1r)*geoCos(lat2r))*v)*v)
	return 2.0 * GeoEarthRadius * geoAsin(math.Sqrt(a))
}

// GeoShape is the area of a search: a circle of Radius, or a box of Width
// by Height, around Lon,Lat; sizes are in a unit of Conversion meters.
type GeoShape struct {
	Lon, Lat      float64
	Box           bool
	Radius        float64
	Width, Height float64
	Conversion    float64
}

// within reports whether the position stored as score lies in the shape,
// with the position and its distance from the centre.
func (s *GeoShape) within(score float64) (lon, lat, dist float64, ok bool) {
	lon, lat = GeoPosition(score)
	if !s.Box {
		dist = GeoDistance(s.Lon, s.Lat, lon, lat)
		return lon, lat, dist, !(dist > float64(s.Radius*s.Conversion))
	}
	w, h := float64(s.Width*s.Conversion), float64(s.Height*s.Conversion)
	if geoLatDistance(lat, s.Lat) > h/2 {
		return lon, lat, 0, false
	}
	if GeoDistance(lon, lat, s.Lon, lat) > w/2 {
		return lon, lat, 0, false
	}
	return lon, lat, GeoDistance(s.Lon, s.Lat, lon, lat), true
}

// geoSteps estimates the cell precision whose 3x3 block covers a search of
// rangeMeters around latitude lat.
func geoSteps(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < geoMercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), 26))
}

// bounds is the shape's bounding box: min lon, min lat, max lon, max lat.
func (s *GeoShape) bounds() (lonMin, latMin, lonMax, latMax float64) {
	var height, width float64
	if s.Box {
		height = float64(s.Conversion * (s.Height / 2))
		width = float64(s.Conversion * (s.Width / 2))
	} else {
		height = float64(s.Conversion * s.Radius)
		width = height
	}
	latDelta := geoDeg(height / GeoEarthRadius)
	longDeltaTop := geoDeg(width / GeoEarthRadius / geoCos(geoRad(s.Lat+latDelta)))
	longDeltaBottom := geoDeg(width / GeoEarthRadius / geoCos(geoRad(s.Lat-latDelta)))
	if s.Lat < 0 {
		lonMin, lonMax = s.Lon-longDeltaBottom, s.Lon+longDeltaBottom
	} else {
		lonMin, lonMax = s.Lon-longDeltaTop, s.Lon+longDeltaTop
	}
	return lonMin, s.Lat - latDelta, lonMax, s.Lat + latDelta
}

// geoMove moves a cell one step east (d > 0) or west (d < 0) when axis is
// the longitude (odd bits), north or south for the latitude (even bits).
func geoMove(h *geoCell, d int, lonAxis bool) {
	if d == 0 {
		return
	}
	const odd, even = 0xaaaaaaaaaaaaaaaa, 0x5555555555555555
	x := h.bits & odd
	y := h.bits & even
	shift := 64 - uint(h.step)*2
	if lonAxis {
		zz := uint64(even) >> shift
		if d > 0 {
			x += zz + 1
		} else {
			x |= zz
			x -= zz + 1
		}
		x &= uint64(odd) >> shift
	} else {
		zz := uint64(odd) >> shift
		if d > 0 {
			y += zz + 1
		} else {
			y |= zz
			y -= zz + 1
		}
		y &= uint64(even) >> shift
	}
	h.bits = x | y
}

func geoNeighbor(h geoCell, dlon, dlat int) geoCell {
	geoMove(&h, dlon, true)
	geoMove(&h, dlat, false)
	return h
}

// geoNeighbors are a cell and its eight neighbours, in the order Redis
// searches them: self, N, S, E, W, NE, NW, SE, SW.
type geoNeighbors [9]geoCell

func geoNeighborsOf(h geoCell) geoNeighbors {
	return geoNeighbors{
		h,
		geoNeighbor(h, 0, 1), geoNeighbor(h, 0, -1),
		geoNeighbor(h, 1, 0), geoNeighbor(h, -1, 0),
		geoNeighbor(h, 1, 1), geoNeighbor(h, -1, 1),
		geoNeighbor(h, 1, -1), geoNeighbor(h, -1, -1),
	}
}

// cells returns the cells to scan for the shape: the centre's cell at the
// estimated precision and its neighbours, zeroed where they cannot hold a
// match.
func (s *GeoShape) cells() geoNeighbors {
	lonMin, latMin, lonMax, latMax := s.bounds()
	radius := s.Radius
	if s.Box {
		radius = math.Sqrt(float64((s.Width/2)*(s.Width/2)) + float64((s.Height/2)*(s.Height/2)))
	}
	radius *= s.Conversion
	steps := geoSteps(radius, s.Lat)
	h, _ := geoEncode(s.Lon, s.Lat, steps)
	n := geoNeighborsOf(h)
	area := geoDecode(h)
	north, south := geoDecode(n[1]), geoDecode(n[2])
	east, west := geoDecode(n[3]), geoDecode(n[4])
	if steps > 1 && (north.latMax < latMax || south.latMin > latMin || east.lonMax < lonMax || west.lonMin > lonMin) {
		steps--
		h, _ = geoEncode(s.Lon, s.Lat, steps)
		n = geoNeighborsOf(h)
		area = geoDecode(h)
	}
	if steps >= 2 {
		if area.latMin < latMin {
			n[2], n[8], n[7] = geoCell{}, geoCell{}, geoCell{} // S, SW, SE
		}
		if area.latMax > latMax {
			n[1], n[5], n[6] = geoCell{}, geoCell{}, geoCell{} // N, NE, NW
		}
		if area.lonMin < lonMin {
			n[4], n[8], n[6] = geoCell{}, geoCell{}, geoCell{} // W, SW, NW
		}
		if area.lonMax > lonMax {
			n[3], n[7], n[5] = geoCell{}, geoCell{}, geoCell{} // E, SE, NE
		}
	}
	return n
}

// GeoPoint is a search result.
type GeoPoint struct {
	Member   string
	Lon, Lat float64
	Dist     float64 // meters
	Score    float64
}

// GeoSearch returns the members of z within the shape, in the order Redis
// finds them (cell by cell, by score within a cell). A limit above 0 stops
// the search once that many are found (GEOSEARCH ... COUNT n ANY).
func (z *ZSet) GeoSearch(s *GeoShape, limit int) []GeoPoint {
	var out []GeoPoint
	n := s.cells()
	last := 0
	for i := range n {
		if n[i].isZero() {
			continue
		}
		if last != 0 && n[i] == n[last] {
			continue // huge areas: neighbours can be the same cell
		}
		if len(out) > 0 && limit > 0 && len(out) >= limit {
			break
		}
		out = z.geoScanCell(n[i], s, limit, out)
		last = i
	}
	return out
}

// geoScanCell appends the members of the cell h that lie in the shape.
func (z *ZSet) geoScanCell(h geoCell, s *GeoShape, limit int, out []GeoPoint) []GeoPoint {
	shift := 52 - uint(h.step)*2
	r := ZScoreRange{Min: float64(h.bits << shift), Max: float64((h.bits + 1) << shift), MaxEx: true}
	first, ok := z.FirstInScore(&r)
	if !ok {
		return out
	}
	for it := z.Iter(first); it.Valid(); it.Next() {
		score := it.Score()
		if !r.LteMax(score) {
			break
		}
		if lon, lat, dist, in := s.within(score); in {
			out = append(out, GeoPoint{Member: string(it.Member()), Lon: lon, Lat: lat, Dist: dist, Score: score})
		}
		if len(out) > 0 && limit > 0 && len(out) >= limit {
			break
		}
	}
	return out
}

// GeoSort orders points by distance (descending when desc) as Redis does:
// a stable sort when all of them are returned, else (n < len(pts)) the
// partial quicksort that only puts the first n in place.
func GeoSort(pts []GeoPoint, desc bool, n int) {
	cmp := func(a, b *GeoPoint) int {
		c := 0
		switch {
		case a.Dist > b.Dist:
			c = 1
		case a.Dist < b.Dist:
			c = -1
		}
		if desc {
			c = -c
		}
		return c
	}
	if n >= len(pts) {
		slices.SortStableFunc(pts, func(a, b GeoPoint) int { return cmp(&a, &b) })
		return
	}
	if n <= 0 {
		return
	}
	geoPartialSort(pts, 0, len(pts), cmp, n-1)
}

// geoPartialSort is a Bentley-McIlroy quicksort (three-way partition,
// median-of-three or ninther pivot, insertion sort below 7 elements) that
// skips the partitions lying wholly after index hi: Redis sorts a COUNT
// limited result this way, and equal distances end up in its order.
func geoPartialSort(a []GeoPoint, lo, n int, cmp func(a, b *GeoPoint) int, hi int) {
	swap := func(i, j int) { a[i], a[j] = a[j], a[i] }
	vecswap := func(i, j, k int) {
		for ; k > 0; k-- {
			swap(i, j)
			i++
			j++
		}
	}
	med3 := func(x, y, z int) int {
		if cmp(&a[x], &a[y]) < 0 {
			if cmp(&a[y], &a[z]) < 0 {
				return y
			}
			if cmp(&a[x], &a[z]) < 0 {
				return z
			}
			return x
		}
		if cmp(&a[y], &a[z]) > 0 {
			return y
		}
		if cmp(&a[x], &a[z]) < 0 {
			return x
		}
		return z
	}
	for {
		if n < 7 {
			for m := lo + 1; m < lo+n; m++ {
				for l := m; l > lo && cmp(&a[l-1], &a[l]) > 0; l-- {
					swap(l, l-1)
				}
			}
			return
		}
		pm := lo + n/2
		if n > 7 {
			pl, pn := lo, lo+n-1
			if n > 40 {
				d := n / 8
				pl = med3(pl, pl+d, pl+2*d)
				pm = med3(pm-d, pm, pm+d)
				pn = med3(pn-2*d, pn-d, pn)
			}
			pm = med3(pl, pm, pn)
		}
		swap(lo, pm)
		pa, pb := lo+1, lo+1
		pc, pd := lo+n-1, lo+n-1
		for {
			for pb <= pc {
				c := cmp(&a[pb], &a[lo])
				if c > 0 {
					break
				}
				if c == 0 {
					swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				c := cmp(&a[pc], &a[lo])
				if c < 0 {
					break
				}
				if c == 0 {
					swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			swap(pb, pc)
			pb++
			pc--
		}
		pn := lo + n
		r := min(pa-lo, pb-pa)
		vecswap(lo, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		vecswap(pb, pn-r, r)
		if r = pb - pa; r > 1 {
			// The left part, [lo, lo+r): sorted unless wholly after hi.
			if !(0 < lo && hi < lo) {
				geoPartialSort(a, lo, r, cmp, hi)
			}
		}
		r = pd - pc
		if r <= 1 {
			return
		}
		lo, n = pn-r, r
		if 0 < lo && hi < lo {
			return
		}
	}
}

// AppendGeoCoord formats a coordinate as Redis replies it: 17 digits
// after the point, trailing zeros (and a bare point) removed, "-0" as "0".
func AppendGeoCoord(dst []byte, v float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, v, 'f', 17, 64)
	if bytes.IndexByte(dst[start:], '.') >= 0 {
		for dst[len(dst)-1] == '0' {
			dst = dst[:len(dst)-1]
		}
		if dst[len(dst)-1] == '.' {
			dst = dst[:len(dst)-1]
		}
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// AppendGeoDist formats a distance as Redis replies it: rounded (half to
// even) to 4 decimals.
func AppendGeoDist(dst []byte, d float64) []byte {
	if d == 0 {
		return append(dst, "0.0000"...)
	}
	x := math.RoundToEven(d * 10000)
	var sv int64
	if x >= -9223372036854775808.0 && x < 9223372036854775808.0 {
		sv = int64(x)
	} else {
		sv = math.MinInt64 // llrint's result out of range
	}
	var u uint64
	if sv < 0 {
		dst = append(dst, '-')
		u = uint64(-sv) // -MinInt64 wraps to 1<<63, as Redis computes it
	} else {
		u = uint64(sv)
	}
	// At least five digits: "0" before the point when it is all fraction.
	var tmp [24]byte
	digits := strconv.AppendUint(tmp[:0], u, 10)
	if pad := 5 - len(digits); pad > 0 {
		digits = append(digits[:0], "00000"[:pad]...)
		digits = strconv.AppendUint(digits, u, 10)
	}
	dst = append(dst, digits[:len(digits)-4]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-4:]...)
}

// AppendGeoArg formats a coordinate argument as C's "%f" does, for the
// invalid longitude,latitude error.
func AppendGeoArg(dst []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(dst, "inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, v, 'f', 6, 64)
}

// Trigonometry. Redis uses the C library's sin, cos and asin, which are
// (almost always) correctly rounded; Go's math package is not, and is off
// by one unit in the last place for a good share of arguments, enough to
// change a distance's fourth decimal now and then. geoSin, geoCos and
// geoAsin compute in double-double precision (about 106 bits) and round
// once, so they agree with the C library except in vanishingly rare cases.

// geoDD is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2.
type geoDD struct{ hi, lo float64 }

func geoTwoSum(a, b float64) geoDD {
	s := a + b
	bb := s - a
	return geoDD{s, (a - (s - bb)) + (b - bb)}
}

func geoFastTwoSum(a, b float64) geoDD {
	s := a + b
	return geoDD{s, b - (s - a)}
}

func geoTwoProd(a, b float64) geoDD {
	p := a * b
	return geoDD{p, math.FMA(a, b, -p)}
}

func (x geoDD) add(y geoDD) geoDD {
	s := geoTwoSum(x.hi, y.hi)
	t := geoTwoSum(x.lo, y.lo)
	s.lo += t.hi
	s = geoFastTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return geoFastTwoSum(s.hi, s.lo)
}

func (x geoDD) mul(y geoDD) geoDD {
	p := geoTwoProd(x.hi, y.hi)
	p.lo += x.hi*y.lo + x.lo*y.hi
	return geoFastTwoSum(p.hi, p.lo)
}

func (x geoDD) divFloat(d float64) geoDD {
	q1 := x.hi / d
	p := geoTwoProd(q1, d)
	r := geoTwoSum(x.hi, -p.hi)
	r.lo += x.lo - p.lo
	q2 := (r.hi + r.lo) / d
	return geoFastTwoSum(q1, q2)
}

// geoHalfPi is pi/2 as three doubles, about 160 bits.
var geoHalfPi = [3]float64{
	1.5707963267948966,
	6.123233995736766e-17,
	-1.4973849048591698e-33,
}

// geoInvFact[i] is 1/i! in double-double, up to 27!.
var geoInvFact = func() [28]geoDD {
	var f [28]geoDD
	f[0] = geoDD{1, 0}
	for i := 1; i < len(f); i++ {
		f[i] = f[i-1].divFloat(float64(i))
	}
	return f
}()

// geoReduce returns r and k with x = k*pi/2 + r, |r| <= about pi/4, r in
// double-double. Arguments are small here (|x| < 8).
func geoReduce(x float64) (geoDD, int) {
	k := math.RoundToEven(x / geoHalfPi[0])
	p := geoTwoProd(k, geoHalfPi[0])
	r := geoTwoSum(x, -p.hi)
	r = r.add(geoDD{-p.lo, 0})
	r = r.add(geoTwoProd(-k, geoHalfPi[1]))
	r = r.add(geoDD{-k * geoHalfPi[2], 0})
	return r, int(k)
}

// geoSinPoly and geoCosPoly are the Taylor series of sin and cos at r.
func geoSinPoly(r geoDD) geoDD {
	r2 := r.mul(r)
	acc := geoInvFact[25]
	for i := 23; i >= 1; i -= 2 {
		acc = acc.mul(r2)
		acc.hi, acc.lo = -acc.hi, -acc.lo
		acc = acc.add(geoInvFact[i])
	}
	return acc.mul(r)
}

func geoCosPoly(r geoDD) geoDD {
	r2 := r.mul(r)
	acc := geoInvFact[26]
	for i := 24; i >= 0; i -= 2 {
		acc = acc.mul(r2)
		acc.hi, acc.lo = -acc.hi, -acc.lo
		acc = acc.add(geoInvFact[i])
	}
	return acc
}

// geoSinCosDD returns sin(x) (or cos(x) when cos) in double-double.
func geoSinCosDD(x float64, cos bool) geoDD {
	r, k := geoReduce(x)
	if cos {
		k++
	}
	var v geoDD
	if k&1 == 0 {
		v = geoSinPoly(r)
	} else {
		v = geoCosPoly(r)
	}
	if k&2 != 0 {
		v.hi, v.lo = -v.hi, -v.lo
	}
	return v
}

const geoDDLimit = 8 // beyond, the plain math functions are used

func geoSin(x float64) float64 {
	if x == 0 || !(math.Abs(x) < geoDDLimit) {
		return math.Sin(x)
	}
	v := geoSinCosDD(x, false)
	return v.hi + v.lo
}

func geoCos(x float64) float64 {
	if !(math.Abs(x) < geoDDLimit) {
		return math.Cos(x)
	}
	v := geoSinCosDD(x, true)
	return v.hi + v.lo
}

// geoAsin refines math.Asin by a Newton step on sin(y) = x computed in
// double-double.
func geoAsin(x float64) float64 {
	y := math.Asin(x)
	if x == 0 || math.IsNaN(y) {
		return y
	}
	c := math.Cos(y)
	if c < 1e-12 {
		return y
	}
	s := geoSinCosDD(y, false)
	d := s.add(geoDD{-x, 0})
	return y - (d.hi+d.lo)/c
}
