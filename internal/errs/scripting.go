package errs

// Errors of the scripting group (EVAL, SCRIPT, FUNCTION, FCALL). The
// engine's own texts (script errors, BUSY, NOTBUSY, UNKILLABLE) live in
// internal/script, which builds them with the script's name and position.
const (
	NoScript            = "NOSCRIPT No matching script. Please use EVAL."
	NumKeysTooMany      = "ERR Number of keys can't be greater than number of args"
	NumKeysNegative     = "ERR Number of keys can't be negative"
	BadNumKeys          = "ERR Bad number of keys provided"
	FunctionNotFound    = "ERR Function not found"
	ScriptWriteInRO     = "ERR Can not execute a script with write flag using *_ro command."
	ScriptFlushOption   = "ERR SCRIPT FLUSH only support SYNC|ASYNC option"
	ScriptDebugOption   = "ERR Use SCRIPT DEBUG YES/SYNC/NO"
	FunctionFlushOption = "ERR FUNCTION FLUSH only supports SYNC|ASYNC option"
	LibraryNotFound     = "ERR Library not found"
	LibraryNameMissing  = "ERR library name argument was not given"
	FunctionCodeMissing = "ERR Function code is missing"
	RestorePolicy       = "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."
	RestorePayload      = "ERR DUMP payload version or checksum are wrong"
	ScriptDebugNotEmber = "ERR Ember does not support the Lua debugger"
	ScriptCallUnknown   = "Unknown Redis command called from script"
	ScriptCallArity     = "Wrong number of args calling Redis command from script"
	ScriptCallNoScript  = "This Redis command is not allowed from script"
	ScriptCallWriteInRO = "Write commands are not allowed from read-only scripts."
)

// FunctionListArg is FUNCTION LIST's reply to an unknown argument.
func FunctionListArg(arg []byte) string { return "ERR Unknown argument " + string(arg) }

// FunctionLoadOption is FUNCTION LOAD's reply to an unknown option.
func FunctionLoadOption(arg []byte) string { return "ERR Unknown option given: " + string(arg) }

// ScriptBlockOption is XREAD's and XREADGROUP's reply to BLOCK from a script.
func ScriptBlockOption(cmd []byte) string {
	return "ERR " + string(cmd) + " command is not allowed with BLOCK option from scripts"
}
