package handler

import "github.com/ember-kv/ember/internal/errs"

func init() {
	register(map[string]Func{
		"ping": ping,
		"echo": echo,
		"quit": quit,
	})
}

// PING [message]
func ping(c *Ctx) {
	switch len(c.Args) {
	case 1:
		c.Out.Simple("PONG")
	case 2:
		c.Out.Bulk(c.Args[1])
	default:
		c.Error(errs.WrongArity(c.Spec.Name))
	}
}

// ECHO message
func echo(c *Ctx) { c.Out.Bulk(c.Args[1]) }

// QUIT
func quit(c *Ctx) {
	c.OK()
	c.Client.CloseAfterReply = true
}
