package compat

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// Differential tests of the geo commands. Keys carry the prefix "g<n>:".
// Geo sets are sorted sets, so every reply (searches included: Redis's
// result order is deterministic) compares byte for byte.

// geoChecked counts the commands the differential tests compared.
var geoChecked int

func geoScript(p *Pair, text string) {
	p.T.Helper()
	script := Script(text)
	geoChecked += len(script)
	p.CheckAll(script)
}

func geoCheck(p *Pair, args ...string) []byte {
	p.T.Helper()
	geoChecked++
	return p.Check(args...)
}

// geoBothProtocols runs a transcript in RESP2, then again (after a
// FLUSHALL) in RESP3.
func geoBothProtocols(p *Pair, text string) {
	p.T.Helper()
	p.Both("FLUSHALL")
	geoScript(p, text)
	p.Both("FLUSHALL")
	p.Both("HELLO", "3")
	defer p.Both("HELLO", "2")
	geoScript(p, text)
}

const geoSicily = `
	GEOADD g1:s 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
	GEOADD g1:s 12.758489 38.788135 edge1 17.241510 38.788135 edge2
	GEOADD g1:s 13.583333 37.316667 Agrigento
`

func TestGeoAddPosHashDist(t *testing.T) {
	p := pair(t)
	geoBothProtocols(p, geoSicily+`
		GEOADD g1:s 13.361389 38.115556 Palermo
		GEOADD g1:s CH 13.361389 38.115556 Palermo 13.4 38.1 Palermo
		GEOADD g1:s NX 1 1 Palermo 2 2 new
		GEOADD g1:s XX 1 1 Palermo 3 3 other
		GEOADD g1:s XX CH 13.361389 38.115556 Palermo
		GEOADD g1:s NX XX 1 1 a
		GEOADD g1:s CH NX CH 1 1 b
		GEOADD g1:s nx ch xx 1 1 c
		GEOADD g1:s 1 1
		GEOADD g1:s 1 1 a 2
		GEOADD g1:s GT 1 1 a
		GEOADD g1:s 181 0 a
		GEOADD g1:s -180.000001 0 a
		GEOADD g1:s 0 85.05112879 a
		GEOADD g1:s 0 -85.05112879 a
		GEOADD g1:s 0 90 a
		GEOADD g1:s 1 1 ok 200 1e10 bad
		GEOADD g1:s inf 0 a
		GEOADD g1:s 0 -inf a
		GEOADD g1:s abc 0 a
		GEOADD g1:s 0 abc a
		GEOADD g1:s nan 0 a
		GEOADD g1:s 1e400 0 a
		GEOADD g1:s " 1" 0 a
		GEOADD g1:s -0 -0 zero
		GEOADD g1:s 180 85.05112878 ne 180 -85.05112878 se -180 85.05112878 nw -180 -85.05112878 sw
		GEOADD g1:s 0x10 0x1p3 hex
		ZRANGE g1:s 0 -1 WITHSCORES
		ZSCORE g1:s Palermo
		GEOPOS g1:s Palermo Catania nosuch edge1 edge2 Agrigento zero ne se nw sw hex new ok
		GEOPOS g1:s
		GEOPOS g1:none a b
		GEOPOS g1:none
		GEOHASH g1:s Palermo Catania nosuch edge1 edge2 Agrigento zero ne se nw sw hex
		GEOHASH g1:s
		GEOHASH g1:none a
		GEODIST g1:s Palermo Catania
		GEODIST g1:s Palermo Catania m
		GEODIST g1:s Palermo Catania KM
		GEODIST g1:s Palermo Catania Ft
		GEODIST g1:s Palermo Catania mi
		GEODIST g1:s Palermo Catania parsec
		GEODIST g1:s Palermo Catania km extra
		GEODIST g1:s Palermo nosuch
		GEODIST g1:s nosuch Palermo km
		GEODIST g1:none a b
		GEODIST g1:none a b parsec
		GEODIST g1:s Palermo Palermo
		GEODIST g1:s ne sw
		GEODIST g1:s ne nw km
		GEODIST g1:s ne se mi
		GEODIST g1:s zero hex
		SET g1:str x
		GEOADD g1:str 1 1 a
		GEOADD g1:str 1 1000 a
		GEOPOS g1:str a
		GEOHASH g1:str a
		GEODIST g1:str a b
		GEODIST g1:str a b parsec
		GEOADD g1:new XX 1 1 a
		EXISTS g1:new
		GEOADD g1:new 1 1 a
		OBJECT ENCODING g1:new
		ZADD g1:raw -1 a 1e300 b inf c -inf d 1e19 e 0.5 f 4503599627370496 g 9.3e18 h -1e19 i 123.75 j
		GEOPOS g1:raw a b c d e f g h i j
		GEOHASH g1:raw a b c d e f g h i j
		GEODIST g1:raw a j
		GEODIST g1:raw b c km
	`)
}

func TestGeoSearchOptions(t *testing.T) {
	p := pair(t)
	geoBothProtocols(p, geoSicily+`
		GEORADIUS g1:s 15 37 200 km
		GEORADIUS g1:s 15 37 200 km ASC
		GEORADIUS g1:s 15 37 200 km DESC
		GEORADIUS g1:s 15 37 200 km WITHDIST
		GEORADIUS g1:s 15 37 200 km WITHCOORD
		GEORADIUS g1:s 15 37 200 km WITHHASH
		GEORADIUS g1:s 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC
		GEORADIUS g1:s 15 37 200 km withcoord withhash withdist desc
		GEORADIUS g1:s 15 37 200 km COUNT 1
		GEORADIUS g1:s 15 37 200 km COUNT 2 DESC
		GEORADIUS g1:s 15 37 200 km COUNT 2 ANY
		GEORADIUS g1:s 15 37 200 km COUNT 2 ANY ASC WITHDIST
		GEORADIUS g1:s 15 37 200 km COUNT 100
		GEORADIUS g1:s 15 37 200 km ANY COUNT 3
		GEORADIUS g1:s 15 37 200 km ANY
		GEORADIUS g1:s 15 37 200 km COUNT 0
		GEORADIUS g1:s 15 37 200 km COUNT -1
		GEORADIUS g1:s 15 37 200 km COUNT abc
		GEORADIUS g1:s 15 37 200 km COUNT
		GEORADIUS g1:s 15 37 200 km COUNT 1 COUNT 2
		GEORADIUS g1:s 15 37 200 km WITHDIST bogus
		GEORADIUS g1:s 15 37 200 km STORE
		GEORADIUS g1:s 15 37 200 km STORE g1:dst WITHDIST
		GEORADIUS g1:s 15 37 200 km STOREDIST g1:dst WITHHASH
		GEORADIUS g1:s 15 37 200 km WITHCOORD STORE g1:dst
		GEORADIUS g1:s 15 37 200 km STORE g1:dst
		ZRANGE g1:dst 0 -1 WITHSCORES
		GEORADIUS g1:s 15 37 200 km STOREDIST g1:dst
		ZRANGE g1:dst 0 -1 WITHSCORES
		GEORADIUS g1:s 15 37 200 mi STOREDIST g1:dst COUNT 2 DESC
		ZRANGE g1:dst 0 -1 WITHSCORES
		GEORADIUS g1:s 15 37 200 km STORE g1:a STOREDIST g1:b
		EXISTS g1:a g1:b
		GEORADIUS g1:s 15 37 1 m STORE g1:dst
		EXISTS g1:dst
		GEORADIUS g1:s 15 37 1 m
		GEORADIUS g1:s 15 37 -1 km
		GEORADIUS g1:s 15 37 abc km
		GEORADIUS g1:s 15 37 1 parsec
		GEORADIUS g1:s 15 37 0 km
		GEORADIUS g1:s 200 37 1 km
		GEORADIUS g1:s x 37 1 km
		GEORADIUS g1:s 15 y 1 km
		GEORADIUS g1:s 15 37 inf km COUNT 3
		GEORADIUS g1:s 15 37 1e10 km WITHDIST
		GEORADIUS g1:none 15 37 200 km
		GEORADIUS g1:none 15 37 200 km STORE g1:dst
		GEORADIUS g1:none 200 37 200 km
		GEORADIUS g1:none 15 37 200 km WITHDIST STORE g1:x
		GEORADIUS_RO g1:s 15 37 200 km WITHDIST ASC
		GEORADIUS_RO g1:s 15 37 200 km STORE g1:dst
		GEORADIUS_RO g1:s 15 37 200 km STOREDIST g1:dst
		GEORADIUS_RO g1:none 15 37 200 km
		GEORADIUSBYMEMBER g1:s Palermo 200 km
		GEORADIUSBYMEMBER g1:s Palermo 200 km WITHDIST WITHCOORD WITHHASH COUNT 3
		GEORADIUSBYMEMBER g1:s Palermo 200 km DESC
		GEORADIUSBYMEMBER g1:s Palermo 0 m WITHDIST
		GEORADIUSBYMEMBER g1:s nosuch 200 km
		GEORADIUSBYMEMBER g1:s nosuch abc km
		GEORADIUSBYMEMBER g1:s Palermo abc km
		GEORADIUSBYMEMBER g1:s Palermo 200 parsec
		GEORADIUSBYMEMBER g1:s Palermo 200 km STORE g1:m
		ZRANGE g1:m 0 -1 WITHSCORES
		GEORADIUSBYMEMBER g1:s Palermo 200 km STOREDIST g1:m ASC COUNT 2
		ZRANGE g1:m 0 -1 WITHSCORES
		GEORADIUSBYMEMBER g1:none nosuch abc parsec
		GEORADIUSBYMEMBER g1:none nosuch abc parsec WITHDIST bogus
		GEORADIUSBYMEMBER g1:none nosuch abc parsec STORE g1:m
		EXISTS g1:m
		GEORADIUSBYMEMBER_RO g1:s Palermo 200 km WITHDIST
		GEORADIUSBYMEMBER_RO g1:s Palermo 200 km STORE g1:m
		GEOSEARCH g1:s FROMMEMBER Palermo BYRADIUS 200 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHDIST
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST WITHHASH
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX 400 400 km COUNT 2 DESC
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX 400 400 km COUNT 2 ANY
		GEOSEARCH g1:s FROMMEMBER Catania BYBOX 100 600 km WITHDIST
		GEOSEARCH g1:s FROMMEMBER Catania BYBOX 600 100 km WITHDIST
		GEOSEARCH g1:s FROMMEMBER Catania BYBOX 0 0 km WITHDIST
		GEOSEARCH g1:s frommember Palermo frommember Catania byradius 100 km byradius 300 km
		GEOSEARCH g1:s FROMMEMBER Palermo FROMLONLAT 15 37 BYRADIUS 200 km
		GEOSEARCH g1:s FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 200 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS 200 km BYBOX 1 1 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX 1 1 km BYRADIUS 200 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS 200 km STORE g1:x
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
		GEOSEARCH g1:s FROMLONLAT 15 37 COUNT 1 WITHDIST
		GEOSEARCH g1:s BYRADIUS 200 km COUNT 1 WITHDIST
		geosearch g1:s BYRADIUS 200 km COUNT 1 WITHDIST
		GeoSearch g1:s FROMLONLAT 15 37 COUNT 1 WITHDIST
		GEOSEARCH g1:s FROMMEMBER nosuch BYRADIUS 200 km
		GEOSEARCH g1:s FROMLONLAT 1000 37 BYRADIUS 200 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS -1 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS x km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS 1 parsec
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX x 1 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX 1 x km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX -1 1 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX 1 -1 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX 1 1 parsec
		GEOSEARCH g1:s FROMLONLAT 15 37 BYBOX 1 1
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS 1
		GEOSEARCH g1:s FROMLONLAT 15 BYRADIUS 1 km
		GEOSEARCH g1:s FROMMEMBER BYRADIUS 1 km
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS 200 km ANY
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS 200 km COUNT 0
		GEOSEARCH g1:s FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST COUNT x
		GEOSEARCH g1:none FROMMEMBER nosuch BYRADIUS 200 km
		GEOSEARCH g1:none FROMMEMBER nosuch BYRADIUS x km
		GEOSEARCH g1:none FROMMEMBER nosuch BYBOX 1 1 km ANY
		GEOSEARCH g1:none FROMLONLAT 15 37 BYRADIUS 200 km
		GEOSEARCH g1:none FROMLONLAT 15 99 BYRADIUS 200 km
		GEOSEARCHSTORE g1:d g1:s FROMLONLAT 15 37 BYRADIUS 200 km
		ZRANGE g1:d 0 -1 WITHSCORES
		GEOSEARCHSTORE g1:d g1:s FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
		ZRANGE g1:d 0 -1 WITHSCORES
		GEOSEARCHSTORE g1:d g1:s FROMLONLAT 15 37 BYBOX 200 200 mi STOREDIST COUNT 1
		ZRANGE g1:d 0 -1 WITHSCORES
		GEOSEARCHSTORE g1:d g1:s FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST
		GEOSEARCHSTORE g1:d g1:s FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD STOREDIST
		GEOSEARCHSTORE g1:d g1:s FROMLONLAT 15 37 BYRADIUS 200 km STORE g1:x
		GEOSEARCHSTORE g1:d g1:s FROMLONLAT 15 37 BYRADIUS 1 m
		EXISTS g1:d
		GEOSEARCHSTORE g1:d g1:s FROMLONLAT 15 37 BYRADIUS 200 km
		GEOSEARCHSTORE g1:d g1:none FROMLONLAT 15 37 BYRADIUS 200 km
		EXISTS g1:d
		GEOSEARCHSTORE g1:d g1:none FROMLONLAT 15 37 COUNT 1
		GEOSEARCHSTORE g1:s g1:s FROMMEMBER Palermo BYRADIUS 100 km STOREDIST
		ZRANGE g1:s 0 -1 WITHSCORES
		SET g1:str x
		GEORADIUS g1:str 15 37 200 km
		GEORADIUS g1:str 1000 37 200 km
		GEORADIUSBYMEMBER g1:str a 200 km
		GEOSEARCH g1:str FROMLONLAT 15 37 BYRADIUS 200 km
		GEOSEARCH g1:str bogus
		GEOSEARCHSTORE g1:d g1:str FROMLONLAT 15 37 BYRADIUS 200 km
		GEOSEARCHSTORE g1:str g1:s FROMLONLAT 15 37 BYRADIUS 200 km
		TYPE g1:str
	`)
}

// TestGeoTies has members at the same position, so equal distances test
// the sort order: stable for a full sort, Redis's partial quicksort for a
// COUNT below the number found.
func TestGeoTies(t *testing.T) {
	p := pair(t)
	var add []string
	add = append(add, "GEOADD", "g2:t")
	for i := 0; i < 60; i++ {
		lon := strconv.FormatFloat(10+float64(i%5)*0.01, 'f', 2, 64)
		add = append(add, lon, "45", "m"+strconv.Itoa(i))
	}
	p.Both("HELLO", "2")
	geoCheck(p, add...)
	for _, order := range []string{"ASC", "DESC"} {
		for _, n := range []string{"1", "3", "7", "13", "20", "41", "59", "60", "100"} {
			geoCheck(p, "GEOSEARCH", "g2:t", "FROMLONLAT", "10.02", "45", "BYRADIUS", "100", "km", order, "COUNT", n, "WITHDIST")
			geoCheck(p, "GEORADIUS", "g2:t", "10.02", "45", "100", "km", order, "COUNT", n)
		}
		geoCheck(p, "GEOSEARCH", "g2:t", "FROMLONLAT", "10.02", "45", "BYRADIUS", "100", "km", order)
	}
	geoCheck(p, "GEOSEARCH", "g2:t", "FROMLONLAT", "10.02", "45", "BYRADIUS", "100", "km", "COUNT", "5", "ANY")
	geoCheck(p, "GEOSEARCH", "g2:t", "FROMLONLAT", "10.02", "45", "BYRADIUS", "100", "km")
}

// geoRandCoord returns a longitude and latitude, often near the limits:
// the antimeridian and the latitude bounds.
func geoRandCoord(r *rand.Rand) (float64, float64) {
	lon := r.Float64()*360 - 180
	lat := r.Float64()*170.1 - 85.05
	switch r.IntN(8) {
	case 0:
		lon = 180 - r.Float64()*0.5
	case 1:
		lon = -180 + r.Float64()*0.5
	case 2:
		lat = 85.05112878 - r.Float64()*2
	case 3:
		lat = -85.05112878 + r.Float64()*2
	case 4:
		lon, lat = 2+r.Float64(), 48+r.Float64() // a dense area
	}
	return lon, lat
}

// geoUlpDiffs counts stored distances that differ from Redis's in the
// last bits (see geoCheckStoredDist).
var geoUlpDiffs int

// geoCheckStoredDist compares the scores of a set stored by STOREDIST or
// STORE. Geohash scores must be identical; a distance, stored with all its
// digits, may differ from Redis's in the last bits: Redis's sin, cos and
// asin are the C library's, which round the wrong way for about one
// argument in a thousand, while Ember's are correctly rounded, and near
// antipodal points asin magnifies such a difference (relative 1e-11 is
// allowed). The members and their order were compared exactly before.
func geoCheckStoredDist(p *Pair, key string) {
	p.T.Helper()
	geoChecked++
	want, err1 := p.Redis.Do("ZRANGE", key, "0", "-1", "WITHSCORES")
	got, err2 := p.Ember.Do("ZRANGE", key, "0", "-1", "WITHSCORES")
	if err1 != nil || err2 != nil {
		p.T.Fatalf("ZRANGE %s: %v %v", key, err1, err2)
	}
	wt, err1 := parseReplyTree(want)
	gt, err2 := parseReplyTree(got)
	if err1 != nil || err2 != nil {
		p.T.Fatalf("ZRANGE %s: %v %v", key, err1, err2)
	}
	wl, gl := geoLeaves(wt, nil), geoLeaves(gt, nil)
	if len(wl) != len(gl) {
		p.T.Errorf("ZRANGE %s WITHSCORES\n redis: %q\n ember: %q", key, want, got)
		return
	}
	for i := range wl {
		if wl[i] == gl[i] {
			continue
		}
		a, errA := strconv.ParseFloat(wl[i], 64)
		b, errB := strconv.ParseFloat(gl[i], 64)
		if i%2 == 0 || errA != nil || errB != nil || a < 10000 && a == math.Trunc(a) ||
			math.Abs(a-b) > max(4*math.Abs(math.Nextafter(a, math.Inf(1))-a), 1e-11*math.Abs(a)) {
			p.T.Errorf("ZRANGE %s WITHSCORES: element %d: redis %q, ember %q", key, i, wl[i], gl[i])
			return
		}
		geoUlpDiffs++
	}
}

// geoLeaves flattens a reply into its scalar elements' texts.
func geoLeaves(t *replyTree, out []string) []string {
	if t.kind == '*' {
		for _, e := range t.elems {
			out = geoLeaves(e, out)
		}
		return out
	}
	return append(out, t.text())
}

func geoF(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// TestGeoRandom fills geo sets with random points (dense areas, the
// antimeridian, the latitude limits) in both encodings, then compares
// random searches of every kind, distances, positions and hashes, and the
// stored scores.
func TestGeoRandom(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	units := []string{"m", "km", "ft", "mi", "KM"}
	radius := func() string {
		switch r.IntN(4) {
		case 0:
			return geoF(float64(r.IntN(100000)))
		case 1:
			return geoF(r.Float64() * 100)
		case 2:
			return geoF(r.Float64() * 5000)
		}
		return geoF(r.Float64() * 2e7)
	}
	const sets = 4
	for round := 0; round < 2; round++ {
		if round == 1 {
			p.Both("FLUSHALL")
			p.Both("HELLO", "3")
		}
		sizes := [sets]int{}
		for s := 0; s < sets; s++ {
			key := "g3:" + strconv.Itoa(s)
			n := 40 + r.IntN(300)
			if s == 0 {
				n = 30 + r.IntN(60) // listpack
			}
			sizes[s] = n
			for i := 0; i < n; i += 20 {
				cmd := []string{"GEOADD", key}
				for j := i; j < i+20 && j < n; j++ {
					lon, lat := geoRandCoord(r)
					cmd = append(cmd, geoF(lon), geoF(lat), "m"+strconv.Itoa(j))
				}
				geoCheck(p, cmd...)
			}
			geoCheck(p, "ZRANGE", key, "0", "-1", "WITHSCORES")
		}
		for i := 0; i < 1500; i++ {
			s := r.IntN(sets)
			key := "g3:" + strconv.Itoa(s)
			member := func() string { return "m" + strconv.Itoa(r.IntN(sizes[s]+2)) }
			unit := units[r.IntN(len(units))]
			var opts []string
			if r.IntN(2) == 0 {
				opts = append(opts, "WITHDIST")
			}
			if r.IntN(3) == 0 {
				opts = append(opts, "WITHCOORD")
			}
			if r.IntN(4) == 0 {
				opts = append(opts, "WITHHASH")
			}
			switch r.IntN(3) {
			case 0:
				opts = append(opts, "ASC")
			case 1:
				opts = append(opts, "DESC")
			}
			if r.IntN(3) == 0 {
				opts = append(opts, "COUNT", strconv.Itoa(1+r.IntN(30)))
				if r.IntN(4) == 0 {
					opts = append(opts, "ANY")
				}
			}
			lon, lat := geoRandCoord(r)
			switch r.IntN(9) {
			case 0:
				geoCheck(p, append([]string{"GEORADIUS", key, geoF(lon), geoF(lat), radius(), unit}, opts...)...)
			case 1:
				geoCheck(p, append([]string{"GEORADIUSBYMEMBER_RO", key, member(), radius(), unit}, opts...)...)
			case 2, 3:
				geoCheck(p, append([]string{"GEOSEARCH", key, "FROMLONLAT", geoF(lon), geoF(lat), "BYRADIUS", radius(), unit}, opts...)...)
			case 4, 5:
				geoCheck(p, append([]string{"GEOSEARCH", key, "FROMMEMBER", member(), "BYBOX", radius(), radius(), unit}, opts...)...)
			case 6:
				geoCheck(p, append([]string{"GEOSEARCH", key, "FROMLONLAT", geoF(lon), geoF(lat), "BYBOX", radius(), radius(), unit}, opts...)...)
			case 7:
				store := []string{"GEOSEARCHSTORE", "g3:dst", key, "FROMLONLAT", geoF(lon), geoF(lat), "BYRADIUS", radius(), unit}
				if r.IntN(2) == 0 {
					store = append(store, "STOREDIST")
				}
				if r.IntN(2) == 0 {
					store = append(store, "COUNT", strconv.Itoa(1+r.IntN(20)))
				}
				geoCheck(p, store...)
				geoCheck(p, "ZRANGE", "g3:dst", "0", "-1")
				geoCheckStoredDist(p, "g3:dst")
			default:
				switch r.IntN(3) {
				case 0:
					geoCheck(p, "GEODIST", key, member(), member(), unit)
				case 1:
					geoCheck(p, "GEOPOS", key, member(), member(), member())
				default:
					geoCheck(p, "GEOHASH", key, member(), member())
				}
			}
		}
		for s := 0; s < sets; s++ {
			key := "g3:" + strconv.Itoa(s)
			geoCheck(p, "OBJECT", "ENCODING", key)
			for i := 0; i < 30; i++ {
				m := "m" + strconv.Itoa(r.IntN(sizes[s]))
				geoCheck(p, "ZSCORE", key, m)
			}
		}
	}
	p.Both("HELLO", "2")
	t.Logf("%d geo commands compared so far; %d stored distances off in the last bits", geoChecked, geoUlpDiffs)
}

// TestGeoPositionsRoundTrip adds points on a fine grid near the limits
// and the antimeridian and compares every stored score, position and
// hash.
func TestGeoPositionsRoundTrip(t *testing.T) {
	p := pair(t)
	r := Rand(t)
	for i := 0; i < 40; i++ {
		cmd := []string{"GEOADD", "g4:p"}
		for j := 0; j < 25; j++ {
			lon, lat := geoRandCoord(r)
			if r.IntN(5) == 0 {
				lon = float64(r.IntN(361) - 180)
			}
			if r.IntN(5) == 0 {
				lat = []float64{85.05112878, -85.05112878, 0, 85, -85}[r.IntN(5)]
			}
			cmd = append(cmd, geoF(lon), geoF(lat), "p"+strconv.Itoa(i*25+j))
		}
		geoCheck(p, cmd...)
	}
	geoCheck(p, "ZRANGE", "g4:p", "0", "-1", "WITHSCORES")
	for i := 0; i < 1000; i += 50 {
		pos := []string{"GEOPOS", "g4:p"}
		hash := []string{"GEOHASH", "g4:p"}
		for j := i; j < i+50; j++ {
			pos = append(pos, "p"+strconv.Itoa(j))
			hash = append(hash, "p"+strconv.Itoa(j))
		}
		geoCheck(p, pos...)
		geoCheck(p, hash...)
		geoCheck(p, "GEODIST", "g4:p", "p"+strconv.Itoa(i), "p"+strconv.Itoa(i+1), "ft")
	}
	// Searches centred on the limits, with radii from tiny to the globe.
	for _, c := range [][2]string{{"180", "85.05112878"}, {"-180", "-85.05112878"}, {"179.9999", "0"}, {"-180", "0"}, {"0", "85"}, {"0", "-85.05"}} {
		for _, rad := range []string{"1", "1000", "100000", "2000000", "20000000", "40000000"} {
			geoCheck(p, "GEORADIUS", "g4:p", c[0], c[1], rad, "m", "WITHDIST", "ASC")
			geoCheck(p, "GEOSEARCH", "g4:p", "FROMLONLAT", c[0], c[1], "BYBOX", rad, rad, "m", "WITHDIST", "DESC", "COUNT", "10")
		}
	}
	t.Logf("%d geo commands compared in all", geoChecked)
}
