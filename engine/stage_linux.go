package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// stageEmbedded reports whether this binary carries the stage binary (build tag
// berth_stage). Without it the stages run from the running binary itself.
func stageEmbedded() bool { return len(stageBinary) > 0 }

var stage struct {
	once sync.Once
	f    *os.File
	err  error
}

// sealedStage returns a sealed memfd holding the binary the engine's stages run from:
// the embedded stage binary, or without one a copy of the running binary. It is made
// once per process and stays open (O_CLOEXEC, so no child inherits it unless it is
// handed on explicitly); callers must not close it. The seals (no write, grow, shrink
// or new seals) keep CVE-2019-5736 closed: a container process that reopens
// /proc/<pid>/exe of a stage reaches this immutable copy, never a file on the host.
func sealedStage() (*os.File, error) {
	stage.once.Do(func() {
		if stageEmbedded() {
			stage.f, stage.err = sealedMemfd("berth-stage", strings.NewReader(stageBinary))
			return
		}
		src, err := os.Open("/proc/self/exe")
		if err != nil {
			stage.err = fmt.Errorf("seal berth binary: %w", err)
			return
		}
		defer src.Close()
		stage.f, stage.err = sealedMemfd("berth", src)
	})
	return stage.f, stage.err
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

var shim struct {
	once sync.Once
	f    *os.File
	err  error
}

// errNoShim is Start's error in a binary built without the embedded shim.
var errNoShim = fmt.Errorf("this binary was built without the container shim and cannot start containers: build it with make (which runs `make stage`, then go build -tags %s): %w", "berth_stage", errors.ErrUnsupported)

// shimPath returns the path Start execs the shim from: its sealed memfd (made once per
// process, never closed), named through this process's own /proc/<pid>/fd entry: the
// child resolves that path at execve without inheriting the fd, and no dup2 of
// os.StartProcess's fd shuffling can have replaced it (the child's own
// /proc/self/fd/<n> could be). The shim's /proc/self/exe is then the sealed copy
// (CVE-2019-5736), and so is that of the container's PID 1 until its execve.
func shimPath() (string, error) {
	if shimBinary == "" {
		return "", errNoShim
	}
	shim.once.Do(func() {
		shim.f, shim.err = sealedMemfd("berth-shim", strings.NewReader(shimBinary))
	})
	if shim.err != nil {
		return "", shim.err
	}
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), shim.f.Fd()), nil
}

// staticStage reports an error wrapping errors.ErrUnsupported when the binary that runs
// the exec stage (the embedded stage, or the running binary) needs an ELF interpreter:
// the exec stage starts inside the container's mount namespace, where the host's dynamic
// loader and libc do not exist. Build with CGO_ENABLED=0.
func staticStage() error {
	var r io.ReaderAt = strings.NewReader(stageBinary)
	name := "embedded stage binary"
	if !stageEmbedded() {
		f, err := os.Open("/proc/self/exe")
		if err != nil {
			return fmt.Errorf("inspect berth binary: %w", err)
		}
		defer f.Close()
		r, name = f, "berth binary"
	}
	dynamic, err := needsInterpreter(r)
	if err != nil {
		return fmt.Errorf("inspect %s: %w", name, err)
	}
	if dynamic {
		return fmt.Errorf("the %s is dynamically linked and cannot run inside a container (build it with CGO_ENABLED=0): %w", name, errors.ErrUnsupported)
	}
	return nil
}

// needsInterpreter reports whether the ELF executable in r has a PT_INTERP program
// header, i.e. needs a dynamic loader. (A few lines instead of debug/elf, whose imports
// would add their package inits to every stage's start.)
func needsInterpreter(r io.ReaderAt) (bool, error) {
	var h [64]byte // an ELF64 header; an ELF32 one is 52 bytes
	if _, err := r.ReadAt(h[:52], 0); err != nil {
		return false, fmt.Errorf("read ELF header: %w", err)
	}
	if string(h[:4]) != "\x7fELF" {
		return false, fmt.Errorf("not an ELF file: %w", ErrInvalid)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if h[unix.EI_DATA] == unix.ELFDATA2MSB {
		bo = binary.BigEndian
	}
	var phoff int64
	var phentsize, phnum int
	switch h[unix.EI_CLASS] {
	case unix.ELFCLASS32:
		phoff, phentsize, phnum = int64(bo.Uint32(h[28:])), int(bo.Uint16(h[42:])), int(bo.Uint16(h[44:]))
	case unix.ELFCLASS64:
		if _, err := r.ReadAt(h[:], 0); err != nil {
			return false, fmt.Errorf("read ELF header: %w", err)
		}
		phoff, phentsize, phnum = int64(bo.Uint64(h[32:])), int(bo.Uint16(h[54:])), int(bo.Uint16(h[56:]))
	default:
		return false, fmt.Errorf("unknown ELF class %d: %w", h[unix.EI_CLASS], ErrInvalid)
	}
	var typ [4]byte
	for i := 0; i < phnum; i++ {
		if _, err := r.ReadAt(typ[:], phoff+int64(i*phentsize)); err != nil {
			return false, fmt.Errorf("read ELF program header %d: %w", i, err)
		}
		if bo.Uint32(typ[:]) == unix.PT_INTERP {
			return true, nil
		}
	}
	return false, nil
}
