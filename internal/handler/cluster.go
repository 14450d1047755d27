package handler

import (
	"github.com/ember-kv/ember/internal/command"
	"github.com/ember-kv/ember/internal/errs"
)

// Ember is a standalone server: the cluster commands answer as Redis does
// with cluster-enabled no.
func init() {
	m := map[string]Func{"readonly": clusterDisabled, "readwrite": clusterDisabled, "asking": clusterDisabled}
	if spec := command.Lookup([]byte("cluster")); spec != nil {
		for _, sub := range spec.Subs {
			m[sub.Name] = clusterDisabled
		}
	}
	register(m)
}

// CLUSTER <subcommand> ..., READONLY, READWRITE, ASKING
func clusterDisabled(c *Ctx) { c.Error(errs.ClusterDisabled) }
