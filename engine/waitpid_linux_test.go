package engine

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// osThreads is the number of OS threads of this process.
func osThreads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

// TestWaitPidExitHoldsNoThreads: fifty waits on live processes (a supervisor's exit
// watchers) wait in the netpoller, not on an OS thread each, and all end when the
// processes exit.
func TestWaitPidExitHoldsNoThreads(t *testing.T) {
	const n = 50
	var procs []*exec.Cmd
	t.Cleanup(func() {
		for _, p := range procs {
			p.Process.Kill()
			p.Wait()
		}
	})
	for range n {
		p := exec.Command("sleep", "60")
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	before := osThreads(t)
	done := make(chan bool, n)
	for _, p := range procs {
		go func(pid int) { done <- waitPidExit(pid, -1) }(p.Process.Pid)
	}
	time.Sleep(300 * time.Millisecond)
	if after := osThreads(t); after > before+5 {
		t.Errorf("%d waits hold %d more OS threads, want a few at most", n, after-before)
	}
	select {
	case <-done:
		t.Fatal("a wait ended while its process lives")
	default:
	}
	for _, p := range procs {
		p.Process.Kill()
	}
	for range n {
		select {
		case ok := <-done:
			if !ok {
				t.Error("waitPidExit reported a gone process for a live one")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("waits did not end after the processes exited")
		}
	}
}

// TestWaitPidExitDeadline: a wait on a live process ends at its deadline; one on a
// process that is gone reports false at once.
func TestWaitPidExitDeadline(t *testing.T) {
	p := exec.Command("sleep", "60")
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { p.Process.Kill(); p.Wait() }()
	start := time.Now()
	if !waitPidExit(p.Process.Pid, 100*time.Millisecond) {
		t.Fatal("waitPidExit = false for a live process")
	}
	if waited := time.Since(start); waited < 100*time.Millisecond || waited > 5*time.Second {
		t.Errorf("waited %v, want the 100ms deadline", waited)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if waitPidExit(gone.Process.Pid, -1) {
		t.Error("waitPidExit = true for a reaped process")
	}
}

// TestWaitPidfdExitedBeforeWait: a process that exited before the wait began, its pidfd
// readiness already taken by the netpoller (as when a short command exits while its
// pidfd is registered), ends the wait at once instead of at the deadline (it waited
// forever without one: a `run --rm` of a short command hung about once in 2000).
func TestWaitPidfdExitedBeforeWait(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	for !isZombie(cmd.Process.Pid) {
		time.Sleep(time.Millisecond)
	}
	fd, err := unix.PidfdOpen(cmd.Process.Pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		t.Skipf("pidfd_open: %v", err)
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	f.SyscallConn() // registered with the netpoller, which sees it readable
	time.Sleep(20 * time.Millisecond)
	f.SetReadDeadline(time.Now().Add(2 * time.Second))
	start := time.Now()
	waitPidfd(f)
	if d := time.Since(start); d > time.Second {
		t.Errorf("waiting on an exited process took %v, want at once", d.Round(time.Millisecond))
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] == 'Z'
}
