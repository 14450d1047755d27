package main

import (
	"os/exec"

	"github.com/ember-kv/ember/bench/internal/benchsrv"
)

// killWithParent makes the kernel kill cmd's process if this program dies
// without cleaning up (kill -9), so no server is left running.
func killWithParent(cmd *exec.Cmd) { benchsrv.KillWithParent(cmd) }

// raiseFileLimit lifts the soft open-files limit to the hard one; children
// (redis-benchmark with 1,000 clients, the servers) inherit it.
func raiseFileLimit() { benchsrv.RaiseFileLimit() }
