package errs

// Errors of the connection group (HELLO, AUTH, CLIENT) and of COMMAND.
const (
	HelloProtoVersion        = "ERR Protocol version is not an integer or out of range"
	HelloNoAuth              = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	ClientNameInvalid        = "ERR Client names cannot contain spaces, newlines or special characters."
	ClientIDInvalid          = "ERR Invalid client ID"
	ClientIDPositive         = "ERR client-id should be greater than 0"
	NoSuchClient             = "ERR No such client"
	UnblockReason            = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
	Unblocked                = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
	PauseMode                = "ERR CLIENT PAUSE mode must be WRITE or ALL"
	PauseTimeout             = "ERR timeout is not an integer or out of range"
	TrackingRedirectTwice    = "ERR A client can only redirect to a single other client"
	TrackingNoRedirectTarget = "ERR The client ID you want redirect to does not exist"
	TrackingPrefixNeedsBcast = "ERR PREFIX option requires BCAST mode to be enabled"
	TrackingOptInBcast       = "ERR OPTIN and OPTOUT are not compatible with BCAST"
	TrackingOptInOptOut      = "ERR You can't specify both OPTIN mode and OPTOUT mode"
	CachingNotTracking       = "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
	// TrackingUnsupported is Ember's own: server-assisted client-side
	// caching (CLIENT TRACKING ON) is not implemented.
	TrackingUnsupported = "ERR CLIENT TRACKING ON is not supported by this server"

	GetKeysInvalidCommand = "ERR Invalid command specified"
	GetKeysNoKeys         = "ERR The command has no key arguments"
	GetKeysArity          = "ERR Invalid number of arguments specified for command"
)

// HelloOption is the reply to an unknown or incomplete HELLO option.
func HelloOption(opt []byte) string {
	return "ERR Syntax error in HELLO option '" + string(opt) + "'"
}

// ClientTypeUnknown is the reply to CLIENT LIST/KILL TYPE with a bad type.
func ClientTypeUnknown(typ []byte) string {
	return "ERR Unknown client type '" + string(typ) + "'"
}

// NoSuchUser is the reply to CLIENT KILL USER with an unknown user.
func NoSuchUser(user []byte) string {
	return "ERR No such user '" + string(user) + "'"
}

// TrackingPrefixOverlap is the reply to CLIENT TRACKING ... PREFIX a PREFIX
// b where one prefix starts the other.
func TrackingPrefixOverlap(a, b []byte) string {
	return "ERR Prefix '" + string(a) + "' overlaps with another provided prefix '" + string(b) + "'. Prefixes for a single client must not overlap."
}

// SubcommandSyntax is Redis's reply to a subcommand called with an argument
// count its own parser rejects (container is upper-case: "CLIENT").
func SubcommandSyntax(sub []byte, container string) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + string(clip(sub, 128)) + "'. Try " + container + " HELP."
}

// SetinfoOption is the reply to CLIENT SETINFO with an attribute other than
// LIB-NAME or LIB-VER (Redis 7.2). Redis formats the attribute as a C
// string, so it ends at a NUL byte.
func SetinfoOption(attr []byte) string {
	return "ERR Unrecognized option '" + string(cstr(attr)) + "'"
}

// SetinfoValueInvalid is the reply to CLIENT SETINFO with a value holding a
// space, a newline or another byte outside '!'..'~' (Redis 7.2); attr is
// the attribute as the client spelled it.
func SetinfoValueInvalid(attr []byte) string {
	return "ERR " + string(attr) + " cannot contain spaces, newlines or special characters."
}

// cstr is b up to its first NUL byte, as C's %s prints it.
func cstr(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
