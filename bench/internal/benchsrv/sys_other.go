//go:build !linux

package benchsrv

import "os/exec"

// KillWithParent does nothing where the kernel has no parent-death signal.
func KillWithParent(cmd *exec.Cmd) {}

// RaiseFileLimit does nothing here; it returns 0 (unknown).
func RaiseFileLimit() uint64 { return 0 }
