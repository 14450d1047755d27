package handler_test

import (
	"testing"

	"github.com/ember-kv/ember/embertest"
)

// Expected replies below are Redis 7.0's.
func TestGeoCommandReplies(t *testing.T) {
	srv := embertest.Run(t)
	c := dialRaw(t, srv.Addr())
	wrong := strErr("WRONGTYPE Operation against a key holding the wrong kind of value")
	syntax := strErr("ERR syntax error")
	pos := func(lon, lat string) string { return zsetArr(strBulk(lon), strBulk(lat)) }
	runCases(t, c, []replyCase{
		{"GEOADD s 13.361389 38.115556 Palermo 15.087269 37.502669 Catania", strInt(2)},
		{"GEOADD s CH 13.361389 38.115556 Palermo 1 1 Catania", strInt(1)},
		{"GEOADD s XX 15.087269 37.502669 Catania 2 2 nosuch", strInt(0)},
		{"GEOADD s NX XX 1 1 a", syntax},
		{"GEOADD s 1 1 a 2", syntax},
		{"GEOADD s 200 1 a", strErr("ERR invalid longitude,latitude pair 200.000000,1.000000")},
		{"GEOADD s 1 -85.06 a", strErr("ERR invalid longitude,latitude pair 1.000000,-85.060000")},
		{"GEOADD s x 1 a", strErr("ERR value is not a valid float")},
		{"ZSCORE s Palermo", zsetDbl("3479099956230698")},
		{"GEOPOS s Palermo nosuch", zsetArr(pos("13.36138933897018433", "38.11555639549629859"), "*-1\r\n")},
		{"GEOHASH s Palermo Catania nosuch", zsetArr(strBulk("sqc8b49rny0"), strBulk("sqdtr74hyu0"), strNull)},
		{"GEODIST s Palermo Catania", strBulk("166274.1516")},
		{"GEODIST s Palermo Catania km", strBulk("166.2742")},
		{"GEODIST s Palermo Catania MI", strBulk("103.3182")},
		{"GEODIST s Palermo Catania ly", strErr("ERR unsupported unit provided. please use M, KM, FT, MI")},
		{"GEODIST s Palermo Catania km x", syntax},
		{"GEODIST s Palermo nosuch", strNull},
		{"GEODIST none a b", strNull},
		{"GEORADIUS s 15 37 200 km ASC", zsetBulks("Catania", "Palermo")},
		{"GEORADIUS s 15 37 100 km", zsetBulks("Catania")},
		{"GEORADIUS s 15 37 200 km WITHDIST DESC", zsetArr(
			zsetArr(strBulk("Palermo"), strBulk("190.4424")),
			zsetArr(strBulk("Catania"), strBulk("56.4413")))},
		{"GEORADIUS s 15 37 200 km COUNT 1 WITHHASH", zsetArr(zsetArr(strBulk("Catania"), strInt(3479447370796909)))},
		{"GEORADIUS s 15 37 200 km COUNT 0", strErr("ERR COUNT must be > 0")},
		{"GEORADIUS s 15 37 200 km ANY", strErr("ERR the ANY argument requires COUNT argument")},
		{"GEORADIUS s 15 37 x km", strErr("ERR need numeric radius")},
		{"GEORADIUS s 15 37 -1 km", strErr("ERR radius cannot be negative")},
		{"GEORADIUS s 15 37 200 km STORE d WITHDIST", strErr("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options")},
		{"GEORADIUS s 15 37 200 km STOREDIST d", strInt(2)},
		{"ZRANGE d 0 -1 WITHSCORES", zsetBulks("Catania", "56.441257870158204", "Palermo", "190.44242984775784")},
		{"GEORADIUS s 15 37 1 m STORE d", strInt(0)},
		{"EXISTS d", strInt(0)},
		{"GEORADIUS_RO s 15 37 200 km STORE d", syntax},
		{"GEORADIUSBYMEMBER s Palermo 200 km ASC", zsetBulks("Palermo", "Catania")},
		{"GEORADIUSBYMEMBER s nosuch 200 km", strErr("ERR could not decode requested zset member")},
		{"GEORADIUSBYMEMBER none nosuch x y", "*0\r\n"},
		{"GEOSEARCH s FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD", zsetArr(
			zsetArr(strBulk("Catania"), pos("15.08726745843887329", "37.50266842333162032")),
			zsetArr(strBulk("Palermo"), pos("13.36138933897018433", "38.11555639549629859")))},
		{"GEOSEARCH s BYRADIUS 1 km ASC WITHDIST", strErr("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH")},
		{"geosearch s FROMMEMBER Palermo COUNT 1 ASC", strErr("ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch")},
		{"GEOSEARCH s FROMMEMBER Palermo BYBOX 1 -1 km", strErr("ERR height or width cannot be negative")},
		{"GEOSEARCH s FROMMEMBER Palermo BYRADIUS 1 km STORE d", syntax},
		{"GEOSEARCHSTORE d s FROMMEMBER Palermo BYRADIUS 1 km WITHDIST", strErr("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options")},
		{"GEOSEARCHSTORE d s FROMMEMBER Palermo BYRADIUS 1000 km", strInt(2)},
		{"ZRANGE d 0 -1 WITHSCORES", zsetBulks("Palermo", "3479099956230698", "Catania", "3479447370796909")},
		{"SET str x", "+OK\r\n"},
		{"GEOADD str 1 1 a", wrong},
		{"GEOPOS str a", wrong},
		{"GEORADIUS str 1000 1 1 km", wrong},
		{"GEOSEARCHSTORE str s FROMMEMBER Palermo BYRADIUS 1000 km", strInt(2)},
		{"TYPE str", "+zset\r\n"},
	})
}
