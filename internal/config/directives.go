package config

// directives is every directive Ember knows. Directives that a later part of
// Ember implements may already be listed: they are accepted and reported
// by CONFIG GET, and INFO does not claim they take effect.
var directives = []*Directive{
	{Name: "bind", Kind: String, Default: "127.0.0.1 -::1", Immutable: true},
	{Name: "port", Kind: Int, Default: "6379", Min: 0, Max: 65535, Immutable: true},
	{Name: "databases", Kind: Int, Default: "16", Min: 1, Max: 1 << 20, Immutable: true},
	{Name: "requirepass", Kind: String, Default: "", Sensitive: true},
	{Name: "proto-max-bulk-len", Kind: Memory, Default: "512mb", Min: 1024 * 1024, Max: 1<<63 - 1},
	{Name: "hz", Kind: Int, Default: "10", Min: 0, Max: 1 << 31},
	{Name: "maxclients", Kind: Int, Default: "10000", Min: 1, Max: 1<<32 - 1},
	{Name: "timeout", Kind: Int, Default: "0", Min: 0, Max: 1<<31 - 1},
	{Name: "enable-debug-command", Kind: Enum, Default: "no", Enum: []string{"no", "yes", "local"}, Immutable: true},
}
