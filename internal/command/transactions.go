package command

func init() { add(transactionSpecs) }

// txnFlags are the flags Redis gives MULTI, DISCARD, WATCH and UNWATCH.
const txnFlags = NoScript | Loading | Stale | Fast | AllowBusy

var transactionSpecs = []*Spec{
	{Name: "multi", Arity: 1, Flags: txnFlags, ACL: CatTransaction,
		Group: GroupTransactions, Since: "1.2.0", Complexity: "O(1)",
		Summary: "Opens a transaction: the commands that follow are queued until EXEC or DISCARD."},
	// EXEC locks the shards of its queued commands itself (see
	// internal/server/transactions.go), so it has no AllKeys flag.
	{Name: "exec", Arity: 1, Flags: NoScript | Loading | Stale | SkipSlowlog, ACL: CatTransaction,
		Group: GroupTransactions, Since: "1.2.0", Complexity: "Depends on commands in the transaction",
		Summary: "Runs the queued commands of a transaction as one atomic step."},
	{Name: "discard", Arity: 1, Flags: txnFlags, ACL: CatTransaction,
		Group: GroupTransactions, Since: "2.0.0", Complexity: "O(N), when N is the number of queued commands",
		Summary: "Drops the queued commands of a transaction and leaves it."},
	{Name: "watch", Arity: -2, Flags: txnFlags, ACL: CatTransaction,
		KeySpecs: []KeySpec{{Flags: KeyRO, Index: 1, LastKey: -1, Step: 1}},
		Group:    GroupTransactions, Since: "2.2.0", Complexity: "O(1) for every key.",
		Summary: "Makes the next EXEC fail if any of the given keys changes before it."},
	{Name: "unwatch", Arity: 1, Flags: txnFlags, ACL: CatTransaction,
		Group: GroupTransactions, Since: "2.2.0", Complexity: "O(1)",
		Summary: "Forgets every key the connection WATCHes."},
}
