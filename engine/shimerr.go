package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/shimproto"
)

// The classes of the failures the shim reports (shimproto.Classes), tested with
// errors.Is on an error of Start or Exec. errors.As finds the *ShimError, which names
// the step that failed.
var (
	// ErrShimProtocol: berth and its shim are of different builds (a shim not rebuilt
	// after the protocol changed, see shimproto.Version) and refused each other before
	// anything was made. Build berth with make.
	ErrShimProtocol = errors.New("berth and its container shim speak different protocols")
	// ErrShimNamespace: making or joining a namespace of the container failed.
	ErrShimNamespace = errors.New("shim: namespace")
	// ErrShimCgroup: putting the container's process in its cgroups failed.
	ErrShimCgroup = errors.New("shim: cgroup")
	// ErrShimProcess: the shim's own pipes, clone or fork failed.
	ErrShimProcess = errors.New("shim: process")
	// ErrShimStdio: the container's pipes, pseudo-terminal or stdin socket failed.
	ErrShimStdio = errors.New("shim: stdio")
	// ErrShimRootfs: /proc, pivot_root, a sysctl, a masked or read-only path failed.
	ErrShimRootfs = errors.New("shim: rootfs")
	// ErrShimIdentity: an rlimit, the working dir, capabilities, no_new_privs, the
	// ids or the seccomp filter could not be applied.
	ErrShimIdentity = errors.New("shim: identity")
	// ErrShimExec: the command was not found or could not be executed.
	ErrShimExec = errors.New("shim: exec")
	// ErrShimState: the container dir could not be opened or its state recorded.
	ErrShimState = errors.New("shim: state")
)

var shimClassErrors = map[shimproto.Class]error{
	shimproto.ClassProto:     ErrShimProtocol,
	shimproto.ClassNamespace: ErrShimNamespace,
	shimproto.ClassCgroup:    ErrShimCgroup,
	shimproto.ClassProcess:   ErrShimProcess,
	shimproto.ClassStdio:     ErrShimStdio,
	shimproto.ClassRootfs:    ErrShimRootfs,
	shimproto.ClassIdentity:  ErrShimIdentity,
	shimproto.ClassExec:      ErrShimExec,
	shimproto.ClassState:     ErrShimState,
}

// ShimError is a failure the shim reported. It unwraps to its class's sentinel
// (ErrShimExec, ...). Its text is the shim's message, except that a protocol failure
// says so first.
type ShimError struct {
	Class shimproto.Class
	// Step is the step that failed, as the shim names it (its message up to the
	// first ": "): "exec", "join cgroup /sys/fs/cgroup/x/cgroup.procs", ...
	Step string
	// Msg is the shim's message, "step: cause".
	Msg string
}

func (e *ShimError) Error() string {
	if e.Class == shimproto.ClassProto {
		return ErrShimProtocol.Error() + ": " + e.Msg
	}
	return e.Msg
}

// Unwrap returns the sentinel of the failure's class.
func (e *ShimError) Unwrap() error { return shimClassErrors[e.Class] }

// shimFailure reads a failure the shim reported, "<class> <message>" (without the
// monitor's "error " word). A text of no known class comes from a shim of another
// build (one older than the protocol's version record reports "shim: ..."): a protocol
// failure.
func shimFailure(text string) *ShimError {
	text = strings.TrimRight(text, "\n")
	word, msg, _ := strings.Cut(text, " ")
	class := shimproto.Class(word)
	if _, ok := shimClassErrors[class]; !ok || msg == "" {
		return &ShimError{Class: shimproto.ClassProto, Step: "read the shim's report",
			Msg: fmt.Sprintf("read the shim's report: %q is not of protocol %d: rebuild berth with make", text, shimproto.Version)}
	}
	step, _, _ := strings.Cut(msg, ": ")
	return &ShimError{Class: class, Step: step, Msg: msg}
}
