package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/berth-dev/berth/engine/shimproto"
	"golang.org/x/sys/unix"
)

var shim struct {
	once sync.Once
	f    *os.File
	err  error
}

// errNoShim is Start's and Exec's error in a binary built without the embedded shim.
var errNoShim = fmt.Errorf("this binary was built without the container shim and cannot run containers: build it with make (which runs `make shim`, then go build -tags %s): %w", "berth_shim", errors.ErrUnsupported)

// sealedShim returns the sealed memfd holding the shim, made once per process and
// never closed (O_CLOEXEC: no child inherits it). The seals (no write, grow, shrink or
// new seals) keep CVE-2019-5736 closed: a container process that reopens
// /proc/<pid>/exe of the shim (berth's init as PID 1, an exec before its execve)
// reaches this immutable copy, never a file on the host.
func sealedShim() (*os.File, error) {
	if shimBinary == "" {
		return nil, errNoShim
	}
	shim.once.Do(func() {
		if shim.err = checkShimProtocol(shimBinary); shim.err == nil {
			shim.f, shim.err = sealedMemfd("berth-shim", strings.NewReader(shimBinary))
		}
	})
	return shim.f, shim.err
}

// checkShimProtocol returns a *ShimError (ErrShimProtocol) unless the shim binary
// carries this engine's protocol version (shimproto.Mark): a stale shim, built from an
// older shim.c than the engine's, is refused before it runs. The shim checks the
// version the engine sends too, so that a mismatch is found either way.
func checkShimProtocol(binary string) error {
	mark := shimproto.Mark + strconv.Itoa(shimproto.Version) + "\x00"
	if strings.Contains(binary, mark) {
		return nil
	}
	found := "no protocol version"
	if i := strings.Index(binary, shimproto.Mark); i >= 0 {
		v, _, _ := strings.Cut(binary[i+len(shimproto.Mark):], "\x00")
		found = fmt.Sprintf("protocol version %.20q", v)
	}
	return &ShimError{Class: shimproto.ClassProto, Step: "check the embedded shim",
		Msg: fmt.Sprintf("check the embedded shim: it speaks %s, berth version %d: rebuild berth with make", found, shimproto.Version)}
}

// shimPath is the path Start and Exec execute the shim from: its sealed memfd, named
// through this process's own /proc/<pid>/fd entry. The child resolves that path at
// execve without inheriting the fd, and no dup2 of the fd shuffling before the execve
// can have replaced it (the child's own /proc/self/fd/<n> could be).
func shimPath() (string, error) {
	f, err := sealedShim()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), f.Fd()), nil
}

// sealedMemfd copies src into a new memfd named name (MFD_CLOEXEC) and seals it.
func sealedMemfd(name string, src io.Reader) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_ALLOW_SEALING|unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("seal %s binary: memfd_create: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), name)
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		return nil, fmt.Errorf("seal %s binary: copy: %w", name, err)
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, fmt.Errorf("seal %s binary: add seals: %w", name, err)
	}
	return f, nil
}
