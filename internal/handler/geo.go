package handler

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/value"
	"github.com/ember-kv/ember/resp"
)

// The geo commands keep positions in sorted sets, each member scored by
// its 52-bit geohash (see internal/value/geo.go), exactly as Redis does, so
// every sorted set command works on a geo set and the other way round.

func init() {
	register(map[string]Func{
		"geoadd":               geoaddCmd,
		"geodist":              geodistCmd,
		"geohash":              geohashCmd,
		"geopos":               geoposCmd,
		"georadius":            georadiusCmd,
		"georadius_ro":         georadiusROCmd,
		"georadiusbymember":    georadiusbymemberCmd,
		"georadiusbymember_ro": georadiusbymemberROCmd,
		"geosearch":            geosearchCmd,
		"geosearchstore":       geosearchstoreCmd,
	})
}

// geoParseLonLat parses a longitude and a latitude argument, replying an
// error when either is not a float or the pair is out of range.
func geoParseLonLat(c *Ctx, lonArg, latArg []byte) (lon, lat float64, ok bool) {
	if lon, ok = value.ParseScore(lonArg); !ok {
		c.Error(errs.NotFloat)
		return 0, 0, false
	}
	if lat, ok = value.ParseScore(latArg); !ok {
		c.Error(errs.NotFloat)
		return 0, 0, false
	}
	if !value.GeoValid(lon, lat) {
		var a, b [32]byte
		c.Error(errs.GeoInvalidPair(value.AppendGeoArg(a[:0], lon), value.AppendGeoArg(b[:0], lat)))
		return 0, 0, false
	}
	return lon, lat, true
}

// geoUnit returns the meters in one unit named by arg (m, km, ft, mi, in
// any case), replying an error for another name.
func geoUnit(c *Ctx, arg []byte) (float64, bool) {
	switch {
	case strOptIs(arg, "M"):
		return 1, true
	case strOptIs(arg, "KM"):
		return 1000, true
	case strOptIs(arg, "FT"):
		return 0.3048, true
	case strOptIs(arg, "MI"):
		return 1609.34, true
	}
	c.Error(errs.GeoUnit)
	return 0, false
}

// GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]
//
// As in Redis, GEOADD checks its coordinates, turns each into a score and
// runs ZADD key [options] score member ... in its place.
func geoaddCmd(c *Ctx) {
	args := c.Args
	first := 2
	nx, xx := false, false
	for ; first < len(args); first++ {
		switch opt := args[first]; {
		case strOptIs(opt, "NX"):
			nx = true
		case strOptIs(opt, "XX"):
			xx = true
		case strOptIs(opt, "CH"):
		default:
			goto parsed
		}
	}
parsed:
	if (len(args)-first)%3 != 0 || (nx && xx) {
		c.Error(errs.Syntax)
		return
	}
	n := (len(args) - first) / 3
	zargs := make([][]byte, 0, first+2*n)
	zargs = append(zargs, []byte("zadd"))
	zargs = append(zargs, args[1:first]...)
	for i := 0; i < n; i++ {
		j := first + 3*i
		lon, lat, ok := geoParseLonLat(c, args[j], args[j+1])
		if !ok {
			return
		}
		score := strconv.AppendUint(nil, uint64(value.GeoScore(lon, lat)), 10)
		zargs = append(zargs, score, args[j+2])
	}
	c.Args = zargs
	zaddCmd(c)
	c.Args = args
}

// GEODIST key member1 member2 [M | KM | FT | MI]
func geodistCmd(c *Ctx) {
	toMeters := 1.0
	switch {
	case len(c.Args) == 5:
		var ok bool
		if toMeters, ok = geoUnit(c, c.Args[4]); !ok {
			return
		}
	case len(c.Args) > 5:
		c.Error(errs.Syntax)
		return
	}
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	if z == nil {
		c.Out.Null()
		return
	}
	s1, found1 := z.Score(c.Args[2])
	s2, found2 := z.Score(c.Args[3])
	if !found1 || !found2 {
		c.Out.Null()
		return
	}
	lon1, lat1 := value.GeoPosition(s1)
	lon2, lat2 := value.GeoPosition(s2)
	var buf [32]byte
	c.Out.Bulk(value.AppendGeoDist(buf[:0], value.GeoDistance(lon1, lat1, lon2, lat2)/toMeters))
}

// GEOHASH key [member [member ...]]
func geohashCmd(c *Ctx) {
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	c.Out.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if z == nil {
			c.Out.Null()
			continue
		}
		s, found := z.Score(m)
		if !found {
			c.Out.Null()
			continue
		}
		c.Out.BulkString(value.GeoHashString(s))
	}
}

// GEOPOS key [member [member ...]]
func geoposCmd(c *Ctx) {
	z, ok := zsetValue(c, c.DB.Read(c.Args[1]))
	if !ok {
		return
	}
	c.Out.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if z == nil {
			c.Out.NullArray()
			continue
		}
		s, found := z.Score(m)
		if !found {
			c.Out.NullArray()
			continue
		}
		lon, lat := value.GeoPosition(s)
		c.Out.Array(2)
		geoWriteCoord(c.Out, lon)
		geoWriteCoord(c.Out, lat)
	}
}

// geoWriteCoord replies a coordinate: a bulk string in RESP2, a double in
// RESP3, formatted with up to 17 decimals as Redis does.
func geoWriteCoord(w *resp.Writer, v float64) {
	var buf [48]byte
	b := value.AppendGeoCoord(buf[:0], v)
	if w.Proto == 3 {
		var line [52]byte
		out := append(line[:0], ',')
		out = append(out, b...)
		out = append(out, '\r', '\n')
		w.Raw(out)
		return
	}
	w.Bulk(b)
}

// Variants of the search commands.
const (
	geoFromCoords  = 1 << iota // GEORADIUS: the centre is given
	geoFromMember              // GEORADIUSBYMEMBER: the centre is a member
	geoNoStore                 // the _RO forms: no STORE or STOREDIST
	geoSearch                  // GEOSEARCH syntax
	geoSearchStore             // GEOSEARCHSTORE
)

// Orders of search results.
const (
	geoSortNone = iota
	geoSortAsc
	geoSortDesc
)

// GEORADIUS key longitude latitude radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]
func georadiusCmd(c *Ctx) { geoSearchCmd(c, 1, geoFromCoords) }

// GEORADIUS_RO key longitude latitude radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]
func georadiusROCmd(c *Ctx) { geoSearchCmd(c, 1, geoFromCoords|geoNoStore) }

// GEORADIUSBYMEMBER key member radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]
func georadiusbymemberCmd(c *Ctx) { geoSearchCmd(c, 1, geoFromMember) }

// GEORADIUSBYMEMBER_RO key member radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]
func georadiusbymemberROCmd(c *Ctx) { geoSearchCmd(c, 1, geoFromMember|geoNoStore) }

// GEOSEARCH key FROMMEMBER member | FROMLONLAT longitude latitude BYRADIUS radius M | KM | FT | MI | BYBOX width height M | KM | FT | MI [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
func geosearchCmd(c *Ctx) { geoSearchCmd(c, 1, geoSearch) }

// GEOSEARCHSTORE destination source FROMMEMBER member | FROMLONLAT longitude latitude BYRADIUS radius M | KM | FT | MI | BYBOX width height M | KM | FT | MI [ASC | DESC] [COUNT count [ANY]] [STOREDIST]
func geosearchstoreCmd(c *Ctx) { geoSearchCmd(c, 2, geoSearch|geoSearchStore) }

// geoParseRadius parses "radius unit" at args[i], i+1 into the shape.
func geoParseRadius(c *Ctx, i int, shape *value.GeoShape) bool {
	r, ok := value.ParseScore(c.Args[i])
	if !ok {
		c.Error(errs.GeoRadiusNotNumber)
		return false
	}
	if r < 0 {
		c.Error(errs.GeoRadiusNegative)
		return false
	}
	shape.Radius = r
	conv, ok := geoUnit(c, c.Args[i+1])
	if !ok {
		return false
	}
	shape.Conversion = conv
	return true
}

// geoSearchCmd is the search family, as Redis's single implementation of
// it: the source key is at argument src, flags say which command runs.
// Checks happen in Redis's order, so the same error wins.
func geoSearchCmd(c *Ctx, src int, flags int) {
	args := c.Args
	z, ok := zsetValue(c, c.DB.Read(args[src]))
	if !ok {
		return
	}
	var storeKey []byte
	storeDist := false
	var shape value.GeoShape
	var base int
	switch {
	case flags&geoFromCoords != 0:
		base = 6
		var ok bool
		if shape.Lon, shape.Lat, ok = geoParseLonLat(c, args[2], args[3]); !ok {
			return
		}
		if !geoParseRadius(c, 4, &shape) {
			return
		}
	case flags&geoFromMember != 0:
		base = 5
		if z != nil {
			s, found := z.Score(args[2])
			if !found {
				c.Error(errs.GeoMemberNotFound)
				return
			}
			shape.Lon, shape.Lat = value.GeoPosition(s)
			if !geoParseRadius(c, 3, &shape) {
				return
			}
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = args[1]
		}
	}
	withDist, withHash, withCoord := false, false, false
	fromMember, fromLonLat, byRadius, byBox := false, false, false, false
	sort := geoSortNone
	anyMatch := false
	var count int64
	search := flags&geoSearch != 0
	for i := base; i < len(args); i++ {
		left := len(args) - i - 1 // arguments after this one
		switch arg := args[i]; {
		case strOptIs(arg, "WITHDIST"):
			withDist = true
		case strOptIs(arg, "WITHHASH"):
			withHash = true
		case strOptIs(arg, "WITHCOORD"):
			withCoord = true
		case strOptIs(arg, "ANY"):
			anyMatch = true
		case strOptIs(arg, "ASC"):
			sort = geoSortAsc
		case strOptIs(arg, "DESC"):
			sort = geoSortDesc
		case strOptIs(arg, "COUNT") && left >= 1:
			n, ok := resp.ParseInt(args[i+1])
			if !ok {
				c.Error(errs.NotInteger)
				return
			}
			if n <= 0 {
				c.Error(errs.GeoCountNotPositive)
				return
			}
			count = n
			i++
		case strOptIs(arg, "STORE") && left >= 1 && flags&geoNoStore == 0 && !search:
			storeKey, storeDist = args[i+1], false
			i++
		case strOptIs(arg, "STOREDIST") && left >= 1 && flags&geoNoStore == 0 && !search:
			storeKey, storeDist = args[i+1], true
			i++
		case strOptIs(arg, "STOREDIST") && search && flags&geoSearchStore != 0:
			storeDist = true
		case strOptIs(arg, "FROMMEMBER") && left >= 1 && search && !fromLonLat:
			if z != nil {
				s, found := z.Score(args[i+1])
				if !found {
					c.Error(errs.GeoMemberNotFound)
					return
				}
				shape.Lon, shape.Lat = value.GeoPosition(s)
			}
			fromMember = true
			i++
		case strOptIs(arg, "FROMLONLAT") && left >= 2 && search && !fromMember:
			var ok bool
			if shape.Lon, shape.Lat, ok = geoParseLonLat(c, args[i+1], args[i+2]); !ok {
				return
			}
			fromLonLat = true
			i += 2
		case strOptIs(arg, "BYRADIUS") && left >= 2 && search && !byBox:
			if !geoParseRadius(c, i+1, &shape) {
				return
			}
			shape.Box = false
			byRadius = true
			i += 2
		case strOptIs(arg, "BYBOX") && left >= 3 && search && !byRadius:
			w, ok := value.ParseScore(args[i+1])
			if !ok {
				c.Error(errs.GeoWidthNotNumber)
				return
			}
			h, ok := value.ParseScore(args[i+2])
			if !ok {
				c.Error(errs.GeoHeightNotNumber)
				return
			}
			if h < 0 || w < 0 {
				c.Error(errs.GeoBoxNegative)
				return
			}
			shape.Width, shape.Height = w, h
			conv, ok := geoUnit(c, args[i+3])
			if !ok {
				return
			}
			shape.Conversion = conv
			shape.Box = true
			byBox = true
			i += 3
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	if storeKey != nil && (withDist || withHash || withCoord) {
		if flags&geoSearchStore != 0 {
			c.Error(errs.GeoSearchStoreWith)
		} else {
			c.Error(errs.GeoRadiusStoreWith)
		}
		return
	}
	if search && !fromMember && !fromLonLat {
		c.Error(errs.GeoNeedFrom(string(args[0])))
		return
	}
	if search && !byRadius && !byBox {
		c.Error(errs.GeoNeedBy(string(args[0])))
		return
	}
	if anyMatch && count == 0 {
		c.Error(errs.GeoAnyNeedsCount)
		return
	}
	if z == nil {
		if storeKey != nil {
			if c.DB.Delete(storeKey) {
				zsetChanged(c, storeKey, "del")
			}
			c.Out.Int(0)
		} else {
			c.Out.Array(0)
		}
		return
	}
	if count != 0 && sort == geoSortNone && !anyMatch {
		sort = geoSortAsc
	}
	limit := 0
	if anyMatch {
		limit = int(min(count, int64(z.Len())))
	}
	pts := z.GeoSearch(&shape, limit)
	if len(pts) == 0 && storeKey == nil {
		c.Out.Array(0)
		return
	}
	n := len(pts)
	if count != 0 && int64(n) > count {
		n = int(count)
	}
	if sort != geoSortNone {
		value.GeoSort(pts, sort == geoSortDesc, n)
	}
	pts = pts[:n]
	if storeKey == nil {
		geoReplyPoints(c, pts, shape.Conversion, withDist, withHash, withCoord)
		return
	}
	geoStore(c, storeKey, pts, shape.Conversion, storeDist, flags&geoSearch != 0)
}

// geoReplyPoints replies search results: bare members, or for each an
// array of the member and what the WITH options ask for.
func geoReplyPoints(c *Ctx, pts []value.GeoPoint, conv float64, withDist, withHash, withCoord bool) {
	extra := 0
	for _, on := range []bool{withDist, withHash, withCoord} {
		if on {
			extra++
		}
	}
	w := c.Out
	w.Array(len(pts))
	var buf [32]byte
	for i := range pts {
		p := &pts[i]
		if extra > 0 {
			w.Array(extra + 1)
		}
		w.BulkString(p.Member)
		if withDist {
			w.Bulk(value.AppendGeoDist(buf[:0], p.Dist/conv))
		}
		if withHash {
			w.Int(int64(p.Score))
		}
		if withCoord {
			w.Array(2)
			geoWriteCoord(w, p.Lon)
			geoWriteCoord(w, p.Lat)
		}
	}
}

// geoStore stores search results as a sorted set at key, scored by their
// geohash or (storeDist) their distance in the search's unit, or deletes
// key when there is none; it replies the number stored.
func geoStore(c *Ctx, key []byte, pts []value.GeoPoint, conv float64, storeDist, search bool) {
	if len(pts) == 0 {
		if c.DB.Delete(key) {
			zsetChanged(c, key, "del")
		}
		c.Out.Int(0)
		return
	}
	entries := make([]value.ZEntry, len(pts))
	for i := range pts {
		s := pts[i].Score
		if storeDist {
			s = pts[i].Dist / conv
		}
		entries[i] = value.ZEntry{Member: pts[i].Member, Score: s}
	}
	slices.SortFunc(entries, func(a, b value.ZEntry) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return strings.Compare(a.Member, b.Member)
	})
	c.DB.Set(key, value.NewZSetSorted(entries, zsetLimits(c)))
	if search {
		zsetChanged(c, key, "geosearchstore")
	} else {
		zsetChanged(c, key, "georadiusstore")
	}
	c.Out.Int(int64(len(pts)))
}
