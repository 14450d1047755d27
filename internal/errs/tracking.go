package errs

// Errors of CLIENT TRACKING and CLIENT CACHING (server-assisted client-side
// caching).
const (
	TrackingBcastSwitch  = "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."
	TrackingOptInSwitch  = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."
	CachingYesNeedsOptIn = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
	CachingNoNeedsOptOut = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
)

// TrackingPrefixExisting is the reply to CLIENT TRACKING ON BCAST PREFIX p
// where p and a prefix the client already registered start one another.
func TrackingPrefixExisting(p []byte, existing string) string {
	return "ERR Prefix '" + string(p) + "' overlaps with an existing prefix '" + existing + "'. Prefixes for a single client must not overlap."
}
