package handler

import (
	"strings"

	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/glob"
)

func init() {
	register(map[string]Func{
		"command":                 commandAll,
		"command|count":           commandCount,
		"command|docs":            commandDocs,
		"command|getkeys":         commandGetKeys,
		"command|getkeysandflags": commandGetKeysAndFlags,
		"command|help":            commandHelp,
		"command|info":            commandInfo,
		"command|list":            commandList,
	})
}

// COMMAND
func commandAll(c *Ctx) {
	all := command.All()
	c.Out.Array(len(all))
	for _, s := range all {
		command.WriteInfo(c.Out, s)
	}
}

// COMMAND COUNT
func commandCount(c *Ctx) { c.Out.Int(int64(len(command.All()))) }

// COMMAND INFO [command-name ...]
func commandInfo(c *Ctx) {
	if len(c.Args) == 2 {
		commandAll(c)
		return
	}
	names := c.Args[2:]
	c.Out.Array(len(names))
	for _, name := range names {
		if s := command.LookupName(name); s != nil {
			command.WriteInfo(c.Out, s)
		} else {
			c.Out.Null()
		}
	}
}

// COMMAND DOCS [command-name ...]
func commandDocs(c *Ctx) {
	specs := command.All()
	if len(c.Args) > 2 {
		specs = make([]*command.Spec, 0, len(c.Args)-2)
		for _, name := range c.Args[2:] {
			if s := command.LookupName(name); s != nil {
				specs = append(specs, s)
			}
		}
	}
	c.Out.Map(len(specs))
	for _, s := range specs {
		c.Out.BulkString(s.Name)
		command.WriteDocs(c.Out, s)
	}
}

// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
func commandList(c *Ctx) {
	type filter struct {
		kind byte // 0: none, 'm': module, 'a': ACL category, 'p': pattern
		arg  string
		cat  command.Category
	}
	var f filter
	for i := 2; i < len(c.Args); i++ {
		more := len(c.Args) - 1 - i
		if !strings.EqualFold(string(c.Args[i]), "filterby") || more != 2 {
			c.Error(errs.Syntax)
			return
		}
		switch strings.ToLower(string(c.Args[i+1])) {
		case "module":
			f.kind = 'm'
		case "aclcat":
			f.kind = 'a'
		case "pattern":
			f.kind = 'p'
		default:
			c.Error(errs.Syntax)
			return
		}
		f.arg = string(c.Args[i+2])
		i += 2
	}
	if f.kind == 'a' {
		f.cat = command.CategoryByName(f.arg)
	}
	keep := func(s *command.Spec) bool {
		switch f.kind {
		case 'm':
			return false // Ember loads no modules
		case 'a':
			return f.cat != 0 && s.Categories()&f.cat != 0
		case 'p':
			return glob.MatchStringNoCase(f.arg, s.Name)
		}
		return true
	}
	var names []string
	for _, s := range command.All() {
		if keep(s) {
			names = append(names, s.Name)
		}
		for _, sub := range s.Subs {
			if keep(sub) {
				names = append(names, sub.Name)
			}
		}
	}
	c.Out.StringArray(names)
}

// COMMAND GETKEYS command [arg ...]
func commandGetKeys(c *Ctx) { commandKeys(c, false) }

// COMMAND GETKEYSANDFLAGS command [arg ...]
func commandGetKeysAndFlags(c *Ctx) { commandKeys(c, true) }

// commandKeys finds the keys of the command line that follows COMMAND
// GETKEYS[ANDFLAGS] with the command's key specs, as the dispatcher does.
func commandKeys(c *Ctx, withFlags bool) {
	args := c.Args[2:]
	s := command.LookupArgs(args)
	switch {
	case s == nil:
		c.Error(errs.GetKeysInvalidCommand)
		return
	case !command.HasKeys(s):
		c.Error(errs.GetKeysNoKeys)
		return
	case (s.Arity > 0 && s.Arity != len(args)) || len(args) < -s.Arity:
		c.Error(errs.GetKeysArity)
		return
	}
	keys, ok := s.Keys(args, nil)
	if !ok || len(keys) == 0 {
		if s.Flags&command.NoMandatoryKeys != 0 {
			c.Out.Array(0)
		} else {
			c.Error(errs.InvalidGetKeys)
		}
		return
	}
	if !withFlags {
		c.Out.Array(len(keys))
		for _, p := range keys {
			c.Out.Bulk(args[p])
		}
		return
	}
	flags := command.KeyFlagsOf(s, args, keys)
	c.Out.Array(len(keys))
	for i, p := range keys {
		c.Out.Array(2)
		c.Out.Bulk(args[p])
		command.WriteKeyFlags(c.Out, flags[i])
	}
}

// COMMAND HELP
func commandHelp(c *Ctx) {
	writeSubcommandHelp(c, "COMMAND", []string{
		"(no subcommand)",
		"    Describe every command: name, arity, flags, key positions, ACL categories, tips, key specs, subcommands.",
		"COUNT",
		"    Number of commands (subcommands not counted).",
		"LIST [FILTERBY (MODULE <name>|ACLCAT <category>|PATTERN <glob>)]",
		"    Names of the commands and subcommands, optionally filtered.",
		"INFO [<command-name> ...]",
		"    Describe the named commands (\"parent|sub\" names a subcommand), or all of them.",
		"DOCS [<command-name> ...]",
		"    Summary, version, group and complexity of the named commands, or of all of them.",
		"GETKEYS <command> [<arg> ...]",
		"    Key names the given command line would use.",
		"GETKEYSANDFLAGS <command> [<arg> ...]",
		"    Key names the given command line would use, each with its access flags.",
	})
}

// writeSubcommandHelp writes a container's HELP reply: a heading, the lines, and the
// HELP entry itself, as status replies.
func writeSubcommandHelp(c *Ctx, container string, lines []string) {
	c.Out.Array(len(lines) + 3)
	c.Out.Simple(container + " <subcommand> [<arg> ...], where <subcommand> is one of:")
	for _, l := range lines {
		c.Out.Simple(l)
	}
	c.Out.Simple("HELP")
	c.Out.Simple("    Show this list.")
}
