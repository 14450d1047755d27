package errs

// Errors of the geo commands.
const (
	// GeoUnit: a distance unit other than m, km, ft or mi.
	GeoUnit = "ERR unsupported unit provided. please use M, KM, FT, MI"
	// GeoRadiusNotNumber: a radius that is not a float.
	GeoRadiusNotNumber = "ERR need numeric radius"
	// GeoRadiusNegative: a radius below zero.
	GeoRadiusNegative = "ERR radius cannot be negative"
	// GeoWidthNotNumber and GeoHeightNotNumber: BYBOX sizes that are not floats.
	GeoWidthNotNumber  = "ERR need numeric width"
	GeoHeightNotNumber = "ERR need numeric height"
	// GeoBoxNegative: a BYBOX width or height below zero.
	GeoBoxNegative = "ERR height or width cannot be negative"
	// GeoMemberNotFound: the member a search starts from is not in the set.
	GeoMemberNotFound = "ERR could not decode requested zset member"
	// GeoCountNotPositive: a COUNT of zero or less.
	GeoCountNotPositive = "ERR COUNT must be > 0"
	// GeoAnyNeedsCount: ANY without COUNT.
	GeoAnyNeedsCount = "ERR the ANY argument requires COUNT argument"
	// GeoRadiusStoreWith: GEORADIUS STORE/STOREDIST with WITHDIST, WITHHASH
	// or WITHCOORD.
	GeoRadiusStoreWith = "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
	// GeoSearchStoreWith: GEOSEARCHSTORE with WITHDIST, WITHHASH or WITHCOORD.
	GeoSearchStoreWith = "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
)

// GeoInvalidPair is the reply to a longitude or latitude out of range;
// lon and lat are the arguments formatted as C's "%f".
func GeoInvalidPair(lon, lat []byte) string {
	return "ERR invalid longitude,latitude pair " + string(lon) + "," + string(lat)
}

// GeoNeedFrom is GEOSEARCH's reply when neither FROMMEMBER nor FROMLONLAT
// is given; cmd is the command name as the client sent it.
func GeoNeedFrom(cmd string) string {
	return "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + cmd
}

// GeoNeedBy is GEOSEARCH's reply when neither BYRADIUS nor BYBOX is given.
func GeoNeedBy(cmd string) string {
	return "ERR exactly one of BYRADIUS and BYBOX can be specified for " + cmd
}
