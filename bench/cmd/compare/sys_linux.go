package main

import (
	"os/exec"
	"syscall"
)

// killWithParent makes the kernel kill cmd's process if this program dies
// without cleaning up (kill -9), so no server is left running.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// raiseFileLimit lifts the soft open-files limit to the hard one; children
// (redis-benchmark with 1,000 clients, the servers) inherit it.
func raiseFileLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}
