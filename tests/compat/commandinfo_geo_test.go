package compat

import "testing"

// geoCommands are the commands of the geo group.
var geoCommands = []string{
	"geoadd", "geodist", "geohash", "geopos", "georadius", "georadius_ro",
	"georadiusbymember", "georadiusbymember_ro", "geosearch", "geosearchstore",
}

// TestCommandInfoGeo compares COMMAND INFO of every geo command (arity,
// flags, key positions, ACL categories, tips, key specs, GEORADIUS's
// STORE/STOREDIST keyword specs included) and COMMAND GETKEYS.
func TestCommandInfoGeo(t *testing.T) {
	p := pair(t)
	for _, name := range geoCommands {
		p.Check("COMMAND", "INFO", name)
	}
	p.Check(append([]string{"COMMAND", "INFO"}, geoCommands...)...)
	for _, args := range [][]string{
		{"GEOADD", "k", "1", "2", "m"},
		{"GEODIST", "k", "a", "b"},
		{"GEOPOS", "k", "a"},
		{"GEOHASH", "k"},
		{"GEOSEARCH", "k", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m"},
		{"GEOSEARCHSTORE", "dst", "src", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m"},
		{"GEORADIUS_RO", "k", "1", "2", "3", "m", "STORE", "x"},
		{"GEORADIUSBYMEMBER_RO", "k", "m", "3", "km"},
		{"GEORADIUS", "k", "1", "2", "3", "m"},
		{"GEORADIUS", "k", "1", "2", "3", "m", "STORE", "dst"},
		{"GEORADIUS", "k", "1", "2", "3", "m", "store", "dst"},
		{"GEORADIUS", "k", "1", "2", "3", "m", "STOREDIST", "dst"},
		{"GEORADIUS", "k", "1", "2", "3", "m", "STORE", "a", "STOREDIST", "b"},
		{"GEORADIUS", "k", "1", "2", "3", "m", "STOREDIST", "b", "STORE", "a"},
		{"GEORADIUS", "k", "1", "2", "3", "m", "WITHDIST", "COUNT", "3", "STORE", "dst"},
		{"GEORADIUS", "k", "1", "2", "3", "m", "STORE"},
		{"GEORADIUS", "k", "STORE", "2", "3", "m", "ASC"},
		{"GEORADIUS", "k", "1", "2", "3", "STORE", "x"},
		{"GEORADIUSBYMEMBER", "k", "STORE", "3", "m", "STORE", "dst"},
		{"GEORADIUSBYMEMBER", "k", "m", "3", "km", "STOREDIST", "dst"},
		{"GEORADIUSBYMEMBER", "k", "m", "3", "STORE", "dst"},
		{"GEORADIUSBYMEMBER", "k", "m", "3", "km"},
	} {
		p.Check(append([]string{"COMMAND", "GETKEYS"}, args...)...)
		p.Check(append([]string{"COMMAND", "GETKEYSANDFLAGS"}, args...)...)
	}
}
