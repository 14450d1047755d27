package errs

// Errors of the HyperLogLog commands.
const (
	HLLWrongType  = "WRONGTYPE Key is not a valid HyperLogLog string value."
	HLLCorrupt    = "INVALIDOBJ Corrupted HLL object detected"
	HLLNoKey      = "ERR The specified key does not exist"
	HLLNotSparse  = "ERR HLL encoding is not sparse"
	pfdebugPrefix = "ERR Unknown PFDEBUG subcommand '"
)

// PFDebugUnknown is the reply to PFDEBUG with an unknown subcommand; the
// name is shown up to its first NUL byte, as Redis formats a C string.
func PFDebugUnknown(sub []byte) string {
	for i, c := range sub {
		if c == 0 {
			sub = sub[:i]
			break
		}
	}
	return pfdebugPrefix + string(sub) + "'"
}
