package threads

import (
	"fmt"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestMain keeps the main goroutine, which starts on the main thread, there, runs the
// tests elsewhere and serves onMainThread.
func TestMain(m *testing.M) {
	runtime.LockOSThread()
	code := make(chan int)
	go func() { code <- m.Run() }()
	for {
		select {
		case f := <-mainThread:
			f()
		case c := <-code:
			os.Exit(c)
		}
	}
}

var mainThread = make(chan func())

// onMainThread runs f on the process's main thread, or skips if TestMain's goroutine
// is not on it.
func onMainThread(t *testing.T, f func()) {
	t.Helper()
	done := make(chan bool)
	mainThread <- func() {
		if unix.Gettid() != unix.Getpid() {
			done <- false
			return
		}
		f()
		done <- true
	}
	if !<-done {
		t.Skip("skipping: TestMain's goroutine is not on the main thread")
	}
}

func mountNS() string {
	ns, _ := os.Readlink("/proc/self/ns/mnt") // the main thread's
	return ns
}

// TestDiscard: work that taints its thread (here a new mount namespace) never lands on
// the main thread, which cannot exit, even when started from it; elsewhere it runs on
// the calling goroutine's own thread.
func TestDiscard(t *testing.T) {
	testenv.RequiresRoot(t)
	before := mountNS()
	for _, fromMain := range []bool{true, false} {
		t.Run(fmt.Sprintf("from main thread %v", fromMain), func(t *testing.T) {
			tid, errc := 0, make(chan error, 1)
			work := func() {
				Discard(func() {
					tid = unix.Gettid()
					errc <- unix.Unshare(unix.CLONE_NEWNS)
				})
			}
			if fromMain {
				onMainThread(t, work)
			} else {
				done := make(chan struct{})
				go func() { defer close(done); work() }()
				<-done
			}
			if err := <-errc; err != nil {
				t.Fatalf("unshare: %v", err)
			}
			if tid == os.Getpid() {
				t.Errorf("Discard ran f on the main thread")
			}
			if after := mountNS(); after != before {
				t.Errorf("main thread's mount namespace after Discard = %s, want %s", after, before)
			}
		})
	}
}
