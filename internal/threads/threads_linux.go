// Package threads runs work that changes its OS thread for good (namespaces, root,
// cgroups) on a thread that is thrown away afterwards, and never on the process's main
// thread: Go terminates a locked thread whose goroutine exits, but parks the main
// thread instead, which would leave it, and every goroutine it later runs, in a
// container's namespaces.
package threads

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Discard runs f in this goroutine, locked to its thread, and leaves the thread
// locked: call it as the body of a new goroutine, whose exit then takes the thread (and
// whatever f did to it) along. On the main thread, f runs on another goroutine's thread
// while this one holds the main thread, so that the runtime cannot give it the main
// thread either.
func Discard(f func()) {
	runtime.LockOSThread()
	if unix.Gettid() != unix.Getpid() {
		f()
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Discard(f)
	}()
	<-done
	runtime.UnlockOSThread()
}
