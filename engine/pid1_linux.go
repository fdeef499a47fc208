package engine

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// runAsPID1 is Spec.Init: berth's own init stays PID 1, starts the command as its child
// (forked from the locked, already de-privileged thread, so the child gets the
// container's user and capabilities), forwards every signal to it, reaps orphans, and
// exits with the command's status. The returned error means the command never started.
func runAsPID1(path string, argv, env []string) error {
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}})
	if err != nil {
		return err
	}
	unix.Close(4) // the error pipe: tells the monitor the command started
	exited := make(chan int, 1)
	go reapAll(pid, exited)
	for {
		select {
		case sig := <-sigs:
			if sig != unix.SIGCHLD {
				unix.Kill(pid, sig.(syscall.Signal))
			}
		case code := <-exited:
			os.Exit(code)
		}
	}
}

// reapAll waits for every child; it reports the main child's status as an exit code.
func reapAll(main int, exited chan<- int) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			exited <- 255
			return
		}
		if pid != main {
			continue
		}
		if ws.Signaled() {
			exited <- 128 + int(ws.Signal())
		} else {
			exited <- ws.ExitStatus()
		}
		return
	}
}
