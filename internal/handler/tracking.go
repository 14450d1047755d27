package handler

import (
	"bytes"

	"github.com/ember-kv/ember/internal/errs"
	"github.com/ember-kv/ember/internal/tracking"
	"github.com/ember-kv/ember/resp"
)

// Server-assisted client-side caching: the CLIENT subcommands that drive
// internal/tracking. The dispatcher remembers the keys tracking clients
// read and invalidates the keys write commands change.

func init() {
	// RESET turns tracking off; invalidations still queued for the client
	// go out before RESET's reply.
	onClientReset(func(c *Ctx) {
		c.Out.Raw(tracking.For(c.Env.Clients).Disable(c.Client.ID))
	})
}

// trackingOptions are CLIENT TRACKING's parsed options.
type trackingOptions struct {
	mode     tracking.Mode // BCast, OptIn, OptOut, NoLoop
	redirect int64
	prefixes [][]byte
}

// CLIENT TRACKING ON | OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]]
// [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
//
// Invalidations reach RESP3 connections as pushes; a RESP2 client may turn
// tracking on but receives nothing, as in Redis. A RESP2 client that
// invalidations are redirected to gets them as pub/sub messages on
// __redis__:invalidate while it has a subscription (internal/pubsub).
func clientTracking(c *Ctx) {
	var o trackingOptions
	for j := 3; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		switch {
		case clientArgIs(c, j, "redirect") && more > 0:
			j++
			if o.redirect != 0 {
				c.Error(errs.TrackingRedirectTwice)
				return
			}
			id, ok := resp.ParseInt(c.Args[j])
			if !ok {
				c.Error(errs.NotInteger)
				return
			}
			if c.Env.Clients.Get(id) == nil {
				c.Error(errs.TrackingNoRedirectTarget)
				return
			}
			o.redirect = id
		case clientArgIs(c, j, "bcast"):
			o.mode |= tracking.BCast
		case clientArgIs(c, j, "optin"):
			o.mode |= tracking.OptIn
		case clientArgIs(c, j, "optout"):
			o.mode |= tracking.OptOut
		case clientArgIs(c, j, "noloop"):
			o.mode |= tracking.NoLoop
		case clientArgIs(c, j, "prefix") && more > 0:
			j++
			o.prefixes = append(o.prefixes, c.Args[j])
		default:
			c.Error(errs.Syntax)
			return
		}
	}
	table := tracking.For(c.Env.Clients)
	switch {
	case clientArgIs(c, 2, "on"):
		if !clientTrackingOn(c, table, &o) {
			return
		}
	case clientArgIs(c, 2, "off"):
		c.Out.Raw(table.Disable(c.Client.ID))
	default:
		c.Error(errs.Syntax)
		return
	}
	c.OK()
}

// clientTrackingOn checks the options against each other and against the
// client's current tracking, in Redis's order, and turns tracking on. It
// reports whether the caller should reply +OK.
func clientTrackingOn(c *Ctx, table *tracking.Table, o *trackingOptions) bool {
	if cfg := c.Env.Config; cfg != nil {
		// The table follows tracking-table-max-keys from its first client.
		table.InitLimit(func() {
			const name = "tracking-table-max-keys"
			table.SetMaxKeys(cfg.Int(name))
			cfg.Watch(name, func(string) { table.SetMaxKeys(cfg.Int(name)) })
		})
	}
	cur, _, existing := table.Info(c.Client.ID)
	bcast := o.mode&tracking.BCast != 0
	optin, optout := o.mode&tracking.OptIn != 0, o.mode&tracking.OptOut != 0
	switch {
	case !bcast && len(o.prefixes) > 0:
		c.Error(errs.TrackingPrefixNeedsBcast)
		return false
	case cur&tracking.On != 0 && (cur&tracking.BCast != 0) != bcast:
		c.Error(errs.TrackingBcastSwitch)
		return false
	case bcast && (optin || optout):
		c.Error(errs.TrackingOptInBcast)
		return false
	case optin && optout:
		c.Error(errs.TrackingOptInOptOut)
		return false
	case optin && cur&tracking.OptOut != 0 || optout && cur&tracking.OptIn != 0:
		c.Error(errs.TrackingOptInSwitch)
		return false
	}
	if bcast && !trackingPrefixesOK(c, o.prefixes, existing) {
		return false
	}
	table.Enable(c.Client, o.mode, o.redirect, o.prefixes)
	return true
}

// trackingPrefixesOK checks that no prefix starts another, new or already
// registered, replying the error for the first overlap. Like Redis, an
// overlap found for any prefix but the first is reported and yet the
// prefixes are registered (and +OK follows): only the first prefix's
// overlap stops the command.
func trackingPrefixesOK(c *Ctx, prefixes [][]byte, existing []string) bool {
	overlap := func(a, b []byte) bool { return bytes.HasPrefix(a, b) || bytes.HasPrefix(b, a) }
	for i, p := range prefixes {
		for _, e := range existing {
			if overlap(p, []byte(e)) {
				c.Error(errs.TrackingPrefixExisting(p, e))
				return i != 0
			}
		}
		for _, q := range prefixes[i+1:] {
			if overlap(p, q) {
				c.Error(errs.TrackingPrefixOverlap(p, q))
				return i != 0
			}
		}
	}
	return true
}

// CLIENT CACHING YES | NO
func clientCaching(c *Ctx) {
	st := tracking.For(c.Env.Clients).State(c.Client.ID)
	var mode tracking.Mode
	if st != nil {
		mode = st.Mode()
	}
	if mode&tracking.On == 0 || mode&(tracking.OptIn|tracking.OptOut) == 0 {
		c.Error(errs.CachingNotTracking)
		return
	}
	switch {
	case clientArgIs(c, 2, "yes"):
		if mode&tracking.OptIn == 0 {
			c.Error(errs.CachingYesNeedsOptIn)
			return
		}
	case clientArgIs(c, 2, "no"):
		if mode&tracking.OptOut == 0 {
			c.Error(errs.CachingNoNeedsOptOut)
			return
		}
	default:
		c.Error(errs.Syntax)
		return
	}
	st.SetCaching()
	c.OK()
}

// CLIENT GETREDIR
func clientGetRedir(c *Ctx) {
	mode, redirect, _ := tracking.For(c.Env.Clients).Info(c.Client.ID)
	if mode&tracking.On == 0 {
		redirect = -1
	}
	c.Out.Int(redirect)
}

// CLIENT TRACKINGINFO
func clientTrackingInfo(c *Ctx) {
	mode, redirect, prefixes := tracking.For(c.Env.Clients).Info(c.Client.ID)
	var flags []string
	if mode&tracking.On == 0 {
		flags = append(flags, "off")
		redirect = -1
	} else {
		flags = append(flags, "on")
		if mode&tracking.BCast != 0 {
			flags = append(flags, "bcast")
		}
		if mode&tracking.OptIn != 0 {
			flags = append(flags, "optin")
			if mode&tracking.Caching != 0 {
				flags = append(flags, "caching-yes")
			}
		}
		if mode&tracking.OptOut != 0 {
			flags = append(flags, "optout")
			if mode&tracking.Caching != 0 {
				flags = append(flags, "caching-no")
			}
		}
		if mode&tracking.NoLoop != 0 {
			flags = append(flags, "noloop")
		}
		if mode&tracking.BrokenRedir != 0 {
			flags = append(flags, "broken_redirect")
		}
	}
	c.Out.Map(3)
	c.Out.BulkString("flags")
	c.Out.Set(len(flags))
	for _, f := range flags {
		c.Out.BulkString(f)
	}
	c.Out.BulkString("redirect")
	c.Out.Int(redirect)
	c.Out.BulkString("prefixes")
	c.Out.StringArray(prefixes)
}
