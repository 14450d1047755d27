package command

func init() { add(connectionSpecs) }

// connFlags are the flags Redis gives the commands a client may send before
// it authenticates, and at any time.
const connFlags = NoScript | Loading | Stale | Fast | NoAuth | AllowBusy

var connectionSpecs = []*Spec{
	{Name: "ping", Arity: -1, Flags: Fast, ACL: CatConnection,
		Tips:  []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		Group: GroupConnection, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Returns PONG, or the given message."},
	{Name: "echo", Arity: 2, Flags: Loading | Stale | Fast, ACL: CatConnection,
		Group: GroupConnection, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Returns the given message."},
	{Name: "quit", Arity: -1, Flags: connFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "1.0.0", Complexity: "O(1)",
		Summary: "Closes the connection."},
	{Name: "hello", Arity: -1, Flags: connFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "6.0.0", Complexity: "O(1)",
		Summary: "Picks the protocol version, optionally authenticates and names the connection, and describes the server."},
	{Name: "auth", Arity: -2, Flags: connFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "1.0.0",
		Complexity: "O(N) where N is the number of passwords defined for the user",
		Summary:    "Authenticates the connection as a user."},
	{Name: "reset", Arity: 1, Flags: connFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "6.2.0", Complexity: "O(1)",
		Summary: "Returns the connection to the state of a new one."},
	{Name: "client", Arity: -2,
		Group: GroupConnection, Since: "2.4.0", Complexity: "Depends on subcommand.",
		Summary: "Container of the commands that inspect and control client connections.",
		Subs:    clientSubs},
}

// clientFlags and clientAdmin are the flags of CLIENT's subcommands.
const (
	clientFlags = NoScript | Loading | Stale
	clientAdmin = Admin | NoScript | Loading | Stale
)

var clientSubs = []*Spec{
	{Name: "client|caching", Arity: 3, Flags: clientFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "6.0.0", Complexity: "O(1)",
		Summary: "Tells the server whether to track the keys read by the next command (OPTIN/OPTOUT tracking)."},
	{Name: "client|getname", Arity: 2, Flags: clientFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "2.6.9", Complexity: "O(1)",
		Summary: "Returns the connection's name."},
	{Name: "client|getredir", Arity: 2, Flags: clientFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "6.0.0", Complexity: "O(1)",
		Summary: "Returns the ID of the client that receives this connection's tracking invalidations."},
	{Name: "client|help", Arity: 2, Flags: Loading | Stale, ACL: CatConnection,
		Group: GroupConnection, Since: "5.0.0", Complexity: "O(1)",
		Summary: "Describes the CLIENT subcommands."},
	{Name: "client|id", Arity: 2, Flags: clientFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "5.0.0", Complexity: "O(1)",
		Summary: "Returns the connection's unique ID."},
	{Name: "client|info", Arity: 2, Flags: clientFlags, ACL: CatConnection,
		Tips:  []string{"nondeterministic_output"},
		Group: GroupConnection, Since: "6.2.0", Complexity: "O(1)",
		Summary: "Describes this connection, in the CLIENT LIST line format."},
	{Name: "client|kill", Arity: -3, Flags: clientAdmin, ACL: CatConnection,
		Group: GroupConnection, Since: "2.4.0",
		Complexity: "O(N) where N is the number of client connections",
		Summary:    "Closes the connections that match an address or a set of filters."},
	{Name: "client|list", Arity: -2, Flags: clientAdmin, ACL: CatConnection,
		Tips:  []string{"nondeterministic_output"},
		Group: GroupConnection, Since: "2.4.0",
		Complexity: "O(N) where N is the number of client connections",
		Summary:    "Describes the connected clients, one line each."},
	{Name: "client|no-evict", Arity: 3, Flags: clientAdmin, ACL: CatConnection,
		Group: GroupConnection, Since: "7.0.0", Complexity: "O(1)",
		Summary: "Exempts the connection from client eviction, or not."},
	// NO-TOUCH and SETINFO are Redis 7.2 subcommands, beyond the 7.0
	// reference: client libraries send SETINFO on connect.
	{Name: "client|no-touch", Arity: 3, Flags: clientFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "7.2.0", Complexity: "O(1)",
		Summary: "Stops this connection's commands from updating the access time and frequency of the keys they read, or lets them again."},
	{Name: "client|pause", Arity: -3, Flags: clientAdmin, ACL: CatConnection,
		Group: GroupConnection, Since: "2.9.50", Complexity: "O(1)",
		Summary: "Holds the commands of every client, or only writes, for a number of milliseconds."},
	{Name: "client|reply", Arity: 3, Flags: clientFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "3.2.0", Complexity: "O(1)",
		Summary: "Turns the server's replies to this connection on or off, or skips the next one."},
	{Name: "client|setname", Arity: 3, Flags: clientFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "2.6.9", Complexity: "O(1)",
		Summary: "Names the connection."},
	{Name: "client|setinfo", Arity: 4, Flags: clientFlags, ACL: CatConnection,
		Tips:  []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
		Group: GroupConnection, Since: "7.2.0", Complexity: "O(1)",
		Summary: "Records the name or version of the client library behind the connection."},
	{Name: "client|tracking", Arity: -3, Flags: clientFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "6.0.0",
		Complexity: "O(1). Some options may introduce additional complexity.",
		Summary:    "Turns server-assisted client-side caching on or off."},
	{Name: "client|trackinginfo", Arity: 2, Flags: clientFlags, ACL: CatConnection,
		Group: GroupConnection, Since: "6.2.0", Complexity: "O(1)",
		Summary: "Describes the connection's client-side caching state."},
	{Name: "client|unblock", Arity: -3, Flags: clientAdmin, ACL: CatConnection,
		Group: GroupConnection, Since: "5.0.0",
		Complexity: "O(log N) where N is the number of client connections",
		Summary:    "Wakes a client that waits in a blocking command."},
	{Name: "client|unpause", Arity: 2, Flags: clientAdmin, ACL: CatConnection,
		Group: GroupConnection, Since: "6.2.0",
		Complexity: "O(N) Where N is the number of paused clients",
		Summary:    "Ends a CLIENT PAUSE."},
}
