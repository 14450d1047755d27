// Package errs holds every error reply Ember sends, byte-identical to Redis
// 7.0's. Handlers and the dispatcher use these constants and builders; no
// error text is written anywhere else.
package errs

import "strings"

// Error replies, without the leading '-' and trailing CRLF.
const (
	WrongType         = "WRONGTYPE Operation against a key holding the wrong kind of value"
	Syntax            = "ERR syntax error"
	NoSuchKey         = "ERR no such key"
	NotInteger        = "ERR value is not an integer or out of range"
	NotFloat          = "ERR value is not a valid float"
	Overflow          = "ERR increment or decrement would overflow"
	IndexOutOfRange   = "ERR index out of range"
	DBIndex           = "ERR DB index is out of range"
	StringTooLong     = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	BitOffset         = "ERR bit offset is not an integer or out of range"
	BitValue          = "ERR bit is not an integer or out of range"
	NaNOrInf          = "ERR increment would produce NaN or Infinity"
	BusyKey           = "BUSYKEY Target key name already exists."
	SameObject        = "ERR source and destination objects are the same"
	NoAuth            = "NOAUTH Authentication required."
	WrongPass         = "WRONGPASS invalid username-password pair or user is disabled."
	AuthNotConfigured = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	NoProto           = "NOPROTO unsupported protocol version"
	OOM               = "OOM command not allowed when used memory > 'maxmemory'."
	ExecAbort         = "EXECABORT Transaction discarded because of previous errors."
	MultiNested       = "ERR MULTI calls can not be nested"
	ExecWithoutMulti  = "ERR EXEC without MULTI"
	DiscardNoMulti    = "ERR DISCARD without MULTI"
	WatchInMulti      = "ERR WATCH inside MULTI is not allowed"
	TimeoutNotFloat   = "ERR timeout is not a float or out of range"
	TimeoutNegative   = "ERR timeout is negative"
	CountNotPositive  = "ERR value is out of range, must be positive"
	InvalidCursor     = "ERR invalid cursor"
	NoSelectInCluster = "ERR SELECT is not allowed in cluster mode"
	InvalidGetKeys    = "ERR Invalid arguments specified for command"
	ProtocolPrefix    = "ERR Protocol error: "
)

// UnknownCommand is the reply to a command that does not exist. go-redis
// and rueidis recognise a missing command by its exact prefix.
func UnknownCommand(name []byte, args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.Write(clip(name, 128))
	b.WriteString("', with args beginning with: ")
	writeArgs(&b, args)
	return b.String()
}

// UnknownSubcommand is the reply to CONTAINER <unknown>.
func UnknownSubcommand(sub []byte, container string) string {
	var b strings.Builder
	b.WriteString("ERR unknown subcommand '")
	b.Write(clip(sub, 128))
	b.WriteString("'. Try ")
	b.WriteString(strings.ToUpper(container))
	b.WriteString(" HELP.")
	return b.String()
}

// WrongArity is the reply to a command called with the wrong number of
// arguments; name is "get" or "config|get".
func WrongArity(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// InvalidExpire is the reply to a non-positive or overflowing expire time.
func InvalidExpire(cmd string) string {
	return "ERR invalid expire time in '" + cmd + "' command"
}

// NotAllowedInSubscribe is the reply to a command a RESP2 subscriber may not run.
func NotAllowedInSubscribe(name string) string {
	return "ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
}

// Protocol is the reply to malformed input, before the connection closes.
func Protocol(msg string) string { return ProtocolPrefix + msg }

// writeArgs writes Redis's "'a' 'b' " argument preview, at most 128 bytes
// of arguments in all.
func writeArgs(b *strings.Builder, args [][]byte) {
	left := 128
	for _, a := range args {
		if left <= 0 {
			break
		}
		a = clip(a, left)
		b.WriteByte('\'')
		b.Write(a)
		b.WriteString("' ")
		left -= len(a) + 3
	}
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
