package handler

import (
	"errors"

	"github.com/ember-kv/ember/internal/config"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/glob"
)

func init() {
	register(map[string]Func{
		"config|get":       configGet,
		"config|set":       configSet,
		"config|resetstat": configResetStat,
		"config|rewrite":   configRewrite,
		"config|help":      configHelp,
	})
}

// CONFIG GET parameter [parameter ...]
//
// A parameter without glob characters names a directive exactly (the reply
// uses it as given); a pattern matches names and aliases case-insensitively.
func configGet(c *Ctx) {
	patterns := make([]string, len(c.Args)-2)
	for i := range patterns {
		patterns[i] = string(c.Args[i+2])
	}
	pairs := c.Env.Config.Match(patterns, glob.MatchStringNoCase)
	c.Out.Map(len(pairs))
	for _, p := range pairs {
		c.Out.BulkString(p.Name)
		c.Out.BulkString(p.Value)
	}
}

// CONFIG SET parameter value [parameter value ...]
//
// Every value is checked before any is applied: all change, or none.
func configSet(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.Error(errs.Syntax)
		return
	}
	pairs := make([]string, len(c.Args)-2)
	for i := range pairs {
		pairs[i] = string(c.Args[i+2])
	}
	err := c.Env.Config.SetMany(pairs, protectedAllowed(c, "enable-protected-configs"))
	var se *config.SetError
	switch {
	case err == nil:
		c.OK()
	case errors.As(err, &se) && se.Unknown != "":
		c.Error(errs.ConfigSetUnknown(se.Unknown))
	case errors.As(err, &se):
		c.Error(errs.ConfigSetFailed(se.Arg, se.Msg))
	default:
		c.Error(errs.ConfigSetFailed(pairs[0], err.Error()))
	}
}

// CONFIG RESETSTAT
func configResetStat(c *Ctx) {
	env := c.Env
	env.Stats.Reset()
	env.Keyspace.ResetStats()
	if env.Errors != nil {
		env.Errors.Reset()
	}
	if env.Metrics != nil {
		env.Metrics.Reset()
	}
	if env.Histograms != nil {
		env.Histograms.Reset()
	}
	c.OK()
}

// CONFIG REWRITE
func configRewrite(c *Ctx) {
	err := c.Env.Config.Rewrite()
	switch {
	case err == nil:
		c.logf("CONFIG REWRITE executed with success.")
		c.OK()
	case errors.Is(err, config.ErrNoConfigFile):
		c.Error(errs.NoConfigFile)
	default:
		why := config.Strerror(err)
		c.logf("CONFIG REWRITE failed: %s", why)
		c.Error(errs.ConfigRewrite(why))
	}
}

// CONFIG HELP
func configHelp(c *Ctx) {
	writeSubcommandHelp(c, "CONFIG", []string{
		"GET <pattern> [<pattern> ...]",
		"    Directives whose names match a glob pattern, with their values.",
		"SET <directive> <value> [<directive> <value> ...]",
		"    Change directives; if any value is refused, none changes.",
		"RESETSTAT",
		"    Zero the statistics INFO reports.",
		"REWRITE",
		"    Write the running configuration to the configuration file.",
	})
}

// logf writes to the server log, when there is one.
func (c *Ctx) logf(format string, args ...any) {
	if c.Env.Logf != nil {
		c.Env.Logf(format, args...)
	}
}
