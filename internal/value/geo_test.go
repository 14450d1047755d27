package value

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// Reference values below were taken from Redis 7.0.
var geoRefPoints = []struct {
	name     string
	lon, lat float64
	score    float64
	posLon   string
	posLat   string
	hash     string
}{
	{"Palermo", 13.361389, 38.115556, 3479099956230698, "13.36138933897018433", "38.11555639549629859", "sqc8b49rny0"},
	{"Catania", 15.087269, 37.502669, 3479447370796909, "", "", "sqdtr74hyu0"},
	{"London", -0.1278, 51.5074, 2163557714755072, "-0.12779921293258667", "51.50740077990133159", "gcpvj0duq50"},
	{"Tokyo", 139.6917, 35.6895, 4171231230197045, "139.69170123338699341", "35.68950126697937009", "xn774c06kt0"},
	{"corner", 180, 85.05112878, 13510798882111488, "180", "85.0511287799999991", "bp05b5048p0"},
}

func TestGeoScoreAndPosition(t *testing.T) {
	for _, p := range geoRefPoints {
		s := GeoScore(p.lon, p.lat)
		if s != p.score {
			t.Errorf("%s: score %v, want %v", p.name, s, p.score)
		}
		if got := GeoHashString(s); got != p.hash {
			t.Errorf("%s: hash %q, want %q", p.name, got, p.hash)
		}
		if p.posLon == "" {
			continue
		}
		lon, lat := GeoPosition(s)
		if got := string(AppendGeoCoord(nil, lon)); got != p.posLon {
			t.Errorf("%s: lon %q, want %q", p.name, got, p.posLon)
		}
		if got := string(AppendGeoCoord(nil, lat)); got != p.posLat {
			t.Errorf("%s: lat %q, want %q", p.name, got, p.posLat)
		}
	}
}

func TestGeoDistanceReference(t *testing.T) {
	lon1, lat1 := GeoPosition(GeoScore(-0.1278, 51.5074))
	lon2, lat2 := GeoPosition(GeoScore(139.6917, 35.6895))
	if got := string(AppendGeoDist(nil, GeoDistance(lon1, lat1, lon2, lat2)/1000)); got != "9561.4105" {
		t.Errorf("London-Tokyo %s km, want 9561.4105", got)
	}
	lon1, lat1 = GeoPosition(3479099956230698)
	lon2, lat2 = GeoPosition(3479447370796909)
	if got := string(AppendGeoDist(nil, GeoDistance(lon1, lat1, lon2, lat2)/0.3048)); got != "545518.8700" {
		t.Errorf("Palermo-Catania %s ft, want 545518.8700", got)
	}
	if d := GeoDistance(10, 20, 10, 20); d != 0 {
		t.Errorf("distance to itself %v", d)
	}
}

// TestGeoScoreBits checks the conversion of scores that are no geohash, as
// x86-64 converts a double to an unsigned 64-bit integer.
func TestGeoScoreBits(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want uint64
	}{
		{0.5, 0},
		{-1, math.MaxUint64},
		{1e300, 0},
		{math.Inf(1), 0},
		{math.Inf(-1), 1 << 63},
		{-1e19, 1 << 63},
		{1e19, 10000000000000000000},
		{9.3e18, 9300000000000000000},
		{math.NaN(), 1 << 63},
		{4503599627370496, 4503599627370496},
	} {
		if got := geoScoreBits(c.in); got != c.want {
			t.Errorf("geoScoreBits(%v) = %#x, want %#x", c.in, got, c.want)
		}
	}
}

func TestGeoFormatting(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0, "0.0000"}, {1e-9, "0.0000"}, {0.00005, "0.0000"}, {0.00015, "0.0001"},
		{0.0005, "0.0005"}, {1.5, "1.5000"}, {12345.67891, "12345.6789"},
		{-2.5, "-2.5000"}, {-0.00001, "0.0000"}, {20037726.37, "20037726.3700"},
	} {
		if got := string(AppendGeoDist(nil, c.in)); got != c.want {
			t.Errorf("AppendGeoDist(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {-1e-20, "0"}, {1.5, "1.5"},
		{-180, "-180"}, {0.1, "0.10000000000000001"},
	} {
		if got := string(AppendGeoCoord(nil, c.in)); got != c.want {
			t.Errorf("AppendGeoCoord(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in   float64
		want string
	}{
		{200, "200.000000"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"},
		{math.Copysign(0, -1), "-0.000000"}, {1e10, "10000000000.000000"},
	} {
		if got := string(AppendGeoArg(nil, c.in)); got != c.want {
			t.Errorf("AppendGeoArg(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// geoBigSinCos is sin or cos by Taylor series in 300-bit floats.
func geoBigSinCos(x float64, cos bool) float64 {
	f, _ := geoBigSinCosExact(new(big.Float).SetPrec(300).SetFloat64(x), cos).Float64()
	return f
}

func geoBigSinCosExact(bx *big.Float, cos bool) *big.Float {
	const prec = 300
	x2 := new(big.Float).SetPrec(prec).Mul(bx, bx)
	term := new(big.Float).SetPrec(prec).Set(bx)
	start := 1
	if cos {
		term.SetFloat64(1)
		start = 0
	}
	sum := new(big.Float).SetPrec(prec).Set(term)
	for n := start; n < 120; n += 2 {
		term.Mul(term, x2)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64((n+1)*(n+2))))
		term.Neg(term)
		sum.Add(sum, term)
	}
	return sum
}

// TestGeoTrigCorrectlyRounded checks that geoSin and geoCos round their
// results correctly over the arguments geo computations use.
func TestGeoTrigCorrectlyRounded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		x := (r.Float64() - 0.5) * 2 * math.Pi
		if i%3 == 0 {
			x *= 1e-3
		}
		if got, want := geoSin(x), geoBigSinCos(x, false); got != want {
			t.Fatalf("geoSin(%v) = %v, want %v", x, got, want)
		}
		if got, want := geoCos(x), geoBigSinCos(x, true); got != want {
			t.Fatalf("geoCos(%v) = %v, want %v", x, got, want)
		}
	}
	// asin: x lies between the sines of the midpoints around the result.
	for i := 0; i < 1000; i++ {
		x := r.Float64()
		if i%2 == 0 {
			x = 1 - x*1e-9
		}
		y := geoAsin(x)
		mid := func(to float64) *big.Float {
			m := new(big.Float).SetPrec(300).SetFloat64(y)
			m.Add(m, new(big.Float).SetPrec(300).SetFloat64(math.Nextafter(y, to)))
			return geoBigSinCosExact(m.Quo(m, big.NewFloat(2)), false)
		}
		lo, hi := mid(0), mid(2)
		bx := new(big.Float).SetPrec(300).SetFloat64(x)
		if bx.Cmp(lo) < 0 || bx.Cmp(hi) > 0 {
			t.Fatalf("geoAsin(%v) = %v is not the nearest double", x, y)
		}
	}
}

// TestGeoPartialSort checks that the partial quicksort puts the first n
// points in order, each as close as any point left after them.
func TestGeoPartialSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 500; round++ {
		size := 1 + r.IntN(120)
		pts := make([]GeoPoint, size)
		for i := range pts {
			pts[i].Dist = float64(r.IntN(20))
			pts[i].Score = float64(i)
		}
		n := 1 + r.IntN(size)
		desc := r.IntN(2) == 0
		GeoSort(pts, desc, n)
		for i := 1; i < n; i++ {
			if (!desc && pts[i-1].Dist > pts[i].Dist) || (desc && pts[i-1].Dist < pts[i].Dist) {
				t.Fatalf("round %d: not sorted at %d", round, i)
			}
		}
		for i := n; i < size; i++ {
			if (!desc && pts[i].Dist < pts[n-1].Dist) || (desc && pts[i].Dist > pts[n-1].Dist) {
				t.Fatalf("round %d: %d belongs before %d", round, i, n)
			}
		}
		seen := make([]bool, size)
		for _, p := range pts {
			seen[int(p.Score)] = true
		}
		if slices.Contains(seen, false) {
			t.Fatalf("round %d: points lost", round)
		}
	}
}

// TestGeoSearchFindsAll compares a search with a brute-force scan over
// every member: the 3x3 cells must cover the whole circle or box.
func TestGeoSearchFindsAll(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	lim := ZLimits{MaxEntries: 128, MaxValue: 64}
	z := NewZSet(0, 0, lim)
	for i := 0; i < 1000; i++ {
		lon := r.Float64()*360 - 180
		lat := r.Float64()*170 - 85
		if i%3 == 0 {
			lon, lat = 2+r.Float64(), 48+r.Float64()
		}
		z.Add([]byte{byte(i), byte(i >> 8)}, GeoScore(lon, lat), 0, lim)
	}
	for round := 0; round < 200; round++ {
		s := GeoShape{Lon: 2 + r.Float64(), Lat: 48 + r.Float64(), Conversion: 1}
		if round%2 == 0 {
			s.Lon, s.Lat = r.Float64()*360-180, r.Float64()*170-85
		}
		if round%3 == 0 {
			s.Box, s.Width, s.Height = true, r.Float64()*4e5, r.Float64()*4e5
		} else {
			s.Radius = r.Float64() * 2e5
		}
		got := len(z.GeoSearch(&s, 0))
		want := 0
		for it := z.Iter(0); it.Valid(); it.Next() {
			if _, _, _, in := s.within(it.Score()); in {
				want++
			}
		}
		if got != want {
			t.Fatalf("round %d (%+v): found %d, brute force %d", round, s, got, want)
		}
	}
}
