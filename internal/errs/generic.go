package errs

import (
	"bytes"
	"strconv"
)

// Errors of the keyspace (generic) commands and the database commands.
const (
	// ExpireNXConflict: EXPIRE given NX together with XX, GT or LT.
	ExpireNXConflict = "ERR NX and XX, GT or LT options at the same time are not compatible"
	// ExpireGTLTConflict: EXPIRE given both GT and LT.
	ExpireGTLTConflict = "ERR GT and LT options at the same time are not compatible"
	// SwapDBFirst and SwapDBSecond: a SWAPDB index that is not an integer
	// in the int range.
	SwapDBFirst  = "ERR invalid first DB index"
	SwapDBSecond = "ERR invalid second DB index"
	// ObjectFreqNoLFU: OBJECT FREQ without an LFU maxmemory policy.
	ObjectFreqNoLFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	// ObjectIdleLFU: OBJECT IDLETIME under an LFU maxmemory policy.
	ObjectIdleLFU = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	// WaitTimeoutNotInteger: a WAIT timeout that is not an integer.
	WaitTimeoutNotInteger = "ERR timeout is not an integer or out of range"
)

// IntRange is the reply to an integer argument outside the C int range
// where Redis reads an int (SELECT, MOVE, COPY ... DB).
var IntRange = "ERR value is out of range, value must between " +
	strconv.Itoa(-1<<31) + " and " + strconv.Itoa(1<<31-1)

// ExpireUnsupportedOption is the reply to an unknown EXPIRE option. As
// Redis formats it with %s, the option is cut at its first NUL byte, and
// trailing CR/LF bytes are dropped (Writer.Error maps the others to spaces).
func ExpireUnsupportedOption(opt []byte) string {
	if i := bytes.IndexByte(opt, 0); i >= 0 {
		opt = opt[:i]
	}
	opt = bytes.TrimRight(opt, "\r\n")
	return "ERR Unsupported option " + string(opt)
}
