//go:build !linux

package host

import "os/exec"

// dieWithParent does nothing on this system: a plugin process outlives a
// server that crashed (one that shuts down stops its plugins).
func dieWithParent(*exec.Cmd) {}
