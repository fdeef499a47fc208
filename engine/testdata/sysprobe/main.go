// Command sysprobe is a static test program: for each argument it makes one syscall
// and prints "name=ok" or "name=<errno name>" (EPERM, ENOSYS, ...), one per line. It
// tells what a container's seccomp filter lets through.
package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

var probes = map[string]func() error{
	"add_key": func() error {
		_, err := unix.AddKey("user", "berth-probe", []byte("x"), unix.KEY_SPEC_PROCESS_KEYRING)
		return err
	},
	"keyctl": func() error {
		_, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_USER_KEYRING, false)
		return err
	},
	"clone3": func() error { // a NULL clone_args: EFAULT where clone3 is allowed
		_, _, e := unix.Syscall(unix.SYS_CLONE3, 0, 0, 0)
		return errnoOrNil(e)
	},
	"personality-query": func() error { return personality(0xffffffff) },
	"personality-noaslr": func() error {
		return personality(0x0040000) // ADDR_NO_RANDOMIZE
	},
	"ptrace-peek": func() error { // PTRACE_PEEKUSER of nobody: ESRCH where ptrace is allowed
		_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_PEEKUSR, 1<<30, 0, 0, 0, 0)
		return errnoOrNil(e)
	},
	"socket-vsock": func() error {
		fd, err := unix.Socket(unix.AF_VSOCK, unix.SOCK_STREAM, 0)
		if err == nil {
			unix.Close(fd)
		}
		return err
	},
	"mkdir":  func() error { return unix.Mkdir("/tmp/probe-dir", 0o755) },
	"getpid": func() error { unix.Getpid(); return nil },
}

func personality(p uintptr) error {
	_, _, e := unix.Syscall(unix.SYS_PERSONALITY, p, 0, 0)
	return errnoOrNil(e)
}

func errnoOrNil(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func main() {
	for _, name := range os.Args[1:] {
		probe, ok := probes[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "sysprobe: unknown probe %q\n", name)
			os.Exit(2)
		}
		res := "ok"
		if err := probe(); err != nil {
			res = err.Error()
			if e, ok := err.(unix.Errno); ok {
				res = unix.ErrnoName(e)
			}
		}
		fmt.Printf("%s=%s\n", name, res)
	}
}
