package command

func init() { add(latencySpecs) }

// latencyTips are the tips of the LATENCY subcommands that report.
var latencyTips = []string{"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}

// LATENCY: the latency monitor and per-command histograms (server group).
var latencySpecs = []*Spec{
	{Name: "latency", Arity: -2, Group: GroupServer, Since: "2.8.13", Complexity: "Depends on subcommand.",
		Summary: "Reports the latency monitor's samples and the commands' latency distributions.",
		Subs: []*Spec{
			{Name: "latency|latest", Arity: 2, Flags: Admin | NoScript | Loading | Stale, Tips: latencyTips,
				Group: GroupServer, Since: "2.8.13", Complexity: "O(1)",
				Summary: "Returns the newest sample of every event class."},
			{Name: "latency|history", Arity: 3, Flags: Admin | NoScript | Loading | Stale, Tips: latencyTips,
				Group: GroupServer, Since: "2.8.13", Complexity: "O(1)",
				Summary: "Returns an event class's samples, oldest first."},
			{Name: "latency|reset", Arity: -2, Flags: Admin | NoScript | Loading | Stale,
				Tips:  []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
				Group: GroupServer, Since: "2.8.13", Complexity: "O(1)",
				Summary: "Drops the samples of some or all event classes."},
			{Name: "latency|graph", Arity: 3, Flags: Admin | NoScript | Loading | Stale, Tips: latencyTips,
				Group: GroupServer, Since: "2.8.13", Complexity: "O(1)",
				Summary: "Draws an event class's samples as text."},
			{Name: "latency|doctor", Arity: 2, Flags: Admin | NoScript | Loading | Stale, Tips: latencyTips,
				Group: GroupServer, Since: "2.8.13", Complexity: "O(1)",
				Summary: "Describes the recorded latency spikes in words."},
			{Name: "latency|histogram", Arity: -2, Flags: Admin | NoScript | Loading | Stale, Tips: latencyTips,
				Group: GroupServer, Since: "7.0.0",
				Complexity: "O(N) where N is the number of commands with latency information being retrieved.",
				Summary:    "Returns the cumulative latency distribution of some or all commands."},
			{Name: "latency|help", Arity: 2, Flags: Loading | Stale,
				Group: GroupServer, Since: "2.8.13", Complexity: "O(1)",
				Summary: "Lists the LATENCY subcommands."},
		}},
}
