//go:build !linux

package main

import "os/exec"

func killWithParent(cmd *exec.Cmd) {}

func raiseFileLimit() {}
