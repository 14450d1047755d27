package benchsrv

import (
	"os/exec"
	"syscall"
)

// KillWithParent makes the kernel kill cmd's process if this program dies
// without cleaning up (kill -9), so no server is left running.
func KillWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// RaiseFileLimit lifts the soft open-files limit to the hard one; children
// (load generators, the servers) inherit it. It returns the new limit.
func RaiseFileLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}
