package command

func init() { add(scriptingSpecs) }

// Scripts may touch keys their KEYS do not name (queue libraries do), so
// EVAL, EVALSHA, FCALL and their _RO forms hold every shard for the whole
// run (AllKeys); their key specs stay Redis's, for COMMAND INFO and
// GETKEYS.
const scriptRunFlags = NoScript | Stale | SkipMonitor | NoMandatoryKeys | AllKeys | MayWait

// Key specs of the script commands (the COMMAND INFO notes are Redis's).
var (
	scriptKeysRW = []KeySpec{{Notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
		Flags: KeyRW | KeyAccess | KeyUpdate, Index: 2, KeyNum: true, NumIdx: 0, FirstKey: 1, Step: 1}}
	scriptKeysRO = []KeySpec{{Notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
		Flags: KeyRO | KeyAccess, Index: 2, KeyNum: true, NumIdx: 0, FirstKey: 1, Step: 1}}
	// EVALSHA's specs carry no notes in Redis 7.0.
	evalshaKeysRW = []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, Index: 2, KeyNum: true, NumIdx: 0, FirstKey: 1, Step: 1}}
	evalshaKeysRO = []KeySpec{{Flags: KeyRO | KeyAccess, Index: 2, KeyNum: true, NumIdx: 0, FirstKey: 1, Step: 1}}
)

var scriptingSpecs = []*Spec{
	{Name: "eval", Arity: -3, Flags: MayReplicate | scriptRunFlags, ACL: CatScripting, KeySpecs: scriptKeysRW,
		Group: GroupScripting, Since: "2.6.0", Complexity: "Depends on the script that is executed.",
		Summary: "Runs a Lua script on the server."},
	{Name: "evalsha", Arity: -3, Flags: MayReplicate | scriptRunFlags, ACL: CatScripting, KeySpecs: evalshaKeysRW,
		Group: GroupScripting, Since: "2.6.0", Complexity: "Depends on the script that is executed.",
		Summary: "Runs a cached Lua script, named by its SHA1 digest."},
	{Name: "eval_ro", Arity: -3, Flags: ReadOnly | scriptRunFlags, ACL: CatScripting, KeySpecs: scriptKeysRO,
		Group: GroupScripting, Since: "7.0.0", Complexity: "Depends on the script that is executed.",
		Summary: "Runs a Lua script that may not write."},
	{Name: "evalsha_ro", Arity: -3, Flags: ReadOnly | scriptRunFlags, ACL: CatScripting, KeySpecs: evalshaKeysRO,
		Group: GroupScripting, Since: "7.0.0", Complexity: "Depends on the script that is executed.",
		Summary: "Runs a cached Lua script that may not write, named by its SHA1 digest."},
	{Name: "fcall", Arity: -3, Flags: MayReplicate | scriptRunFlags, ACL: CatScripting, KeySpecs: scriptKeysRW,
		Group: GroupScripting, Since: "7.0.0", Complexity: "Depends on the function that is executed.",
		Summary: "Calls a function of a loaded library."},
	{Name: "fcall_ro", Arity: -3, Flags: ReadOnly | scriptRunFlags, ACL: CatScripting, KeySpecs: scriptKeysRO,
		Group: GroupScripting, Since: "7.0.0", Complexity: "Depends on the function that is executed.",
		Summary: "Calls a function of a loaded library, which may not write."},
	{Name: "script", Arity: -2,
		Group: GroupScripting, Since: "2.6.0", Complexity: "Depends on subcommand.",
		Summary: "Container of the commands that manage the script cache.",
		Subs:    scriptSubs},
	{Name: "function", Arity: -2,
		Group: GroupScripting, Since: "7.0.0", Complexity: "Depends on subcommand.",
		Summary: "Container of the commands that manage function libraries.",
		Subs:    functionSubs},
}

var (
	tipsAllNodes  = []string{"request_policy:all_nodes", "response_policy:all_succeeded"}
	tipsAllShards = []string{"request_policy:all_shards", "response_policy:all_succeeded"}
	tipsKill      = []string{"request_policy:all_shards", "response_policy:one_succeeded"}
)

var scriptSubs = []*Spec{
	{Name: "script|debug", Arity: 3, Flags: NoScript, ACL: CatScripting,
		Group: GroupScripting, Since: "3.2.0", Complexity: "O(1)",
		Summary: "Sets the debug mode of the scripts this connection runs next."},
	{Name: "script|exists", Arity: -3, Flags: NoScript, ACL: CatScripting,
		Tips:  []string{"request_policy:all_shards", "response_policy:agg_logical_and"},
		Group: GroupScripting, Since: "2.6.0",
		Complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
		Summary:    "Tells, for each SHA1 digest, whether the script cache holds it."},
	{Name: "script|flush", Arity: -2, Flags: NoScript, ACL: CatScripting, Tips: tipsAllNodes,
		Group: GroupScripting, Since: "2.6.0", Complexity: "O(N) with N being the number of scripts in cache",
		Summary: "Empties the script cache."},
	{Name: "script|help", Arity: 2, Flags: Loading | Stale, ACL: CatScripting,
		Group: GroupScripting, Since: "5.0.0", Complexity: "O(1)",
		Summary: "Describes the SCRIPT subcommands."},
	{Name: "script|kill", Arity: 2, Flags: NoScript | AllowBusy, ACL: CatScripting, Tips: tipsKill,
		Group: GroupScripting, Since: "2.6.0", Complexity: "O(1)",
		Summary: "Stops the script that is running, if it wrote nothing."},
	{Name: "script|load", Arity: 3, Flags: NoScript | Stale, ACL: CatScripting, Tips: tipsAllNodes,
		Group: GroupScripting, Since: "2.6.0", Complexity: "O(N) with N being the length in bytes of the script body.",
		Summary: "Compiles a script into the script cache without running it."},
}

var functionSubs = []*Spec{
	{Name: "function|delete", Arity: 3, Flags: Write | NoScript, ACL: CatScripting, Tips: tipsAllShards,
		Group: GroupScripting, Since: "7.0.0", Complexity: "O(1)",
		Summary: "Removes a library and its functions."},
	{Name: "function|dump", Arity: 2, Flags: NoScript, ACL: CatScripting,
		Group: GroupScripting, Since: "7.0.0", Complexity: "O(N) where N is the number of functions",
		Summary: "Serializes every library into a payload FUNCTION RESTORE accepts."},
	{Name: "function|flush", Arity: -2, Flags: Write | NoScript, ACL: CatScripting, Tips: tipsAllShards,
		Group: GroupScripting, Since: "7.0.0", Complexity: "O(N) where N is the number of functions deleted",
		Summary: "Removes every library."},
	{Name: "function|help", Arity: 2, Flags: Loading | Stale, ACL: CatScripting,
		Group: GroupScripting, Since: "7.0.0", Complexity: "O(1)",
		Summary: "Describes the FUNCTION subcommands."},
	{Name: "function|kill", Arity: 2, Flags: NoScript | AllowBusy, ACL: CatScripting, Tips: tipsKill,
		Group: GroupScripting, Since: "7.0.0", Complexity: "O(1)",
		Summary: "Stops the function that is running, if it wrote nothing."},
	{Name: "function|list", Arity: -2, Flags: NoScript, ACL: CatScripting,
		Tips:  []string{"nondeterministic_output_order"},
		Group: GroupScripting, Since: "7.0.0", Complexity: "O(N) where N is the number of functions",
		Summary: "Describes the loaded libraries and their functions."},
	{Name: "function|load", Arity: -3, Flags: Write | DenyOOM | NoScript, ACL: CatScripting, Tips: tipsAllShards,
		Group: GroupScripting, Since: "7.0.0", Complexity: "O(1) (considering compilation time is redundant)",
		Summary: "Loads a library, whose code registers its functions."},
	{Name: "function|restore", Arity: -3, Flags: Write | DenyOOM | NoScript, ACL: CatScripting, Tips: tipsAllShards,
		Group: GroupScripting, Since: "7.0.0", Complexity: "O(N) where N is the number of functions on the payload",
		Summary: "Loads the libraries of a FUNCTION DUMP payload."},
	{Name: "function|stats", Arity: 2, Flags: NoScript | AllowBusy, ACL: CatScripting,
		Tips:  []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		Group: GroupScripting, Since: "7.0.0", Complexity: "O(1)",
		Summary: "Describes the running function, if any, and the engines' counts."},
}
