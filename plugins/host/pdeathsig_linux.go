package host

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill the plugin process when the server
// dies, so that a crashed server leaves no orphan plugins behind. (Linux
// sends the signal when the thread that started the process ends; the Go
// runtime ends threads only for goroutines that lock one and exit.)
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
