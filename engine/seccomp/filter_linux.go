package seccomp

import (
	"encoding/binary"
	"fmt"
	"runtime"

	"github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Resolve is the profile's rules for a container whose bounding capability set is
// caps ("CAP_SYS_ADMIN", ...): Docker's default profile for an empty profile, else
// the JSON profile (Docker's format). A nil result with a nil error is a profile
// that filters nothing (no default action and no rules).
func Resolve(profile string, caps []string) (*specs.LinuxSeccomp, error) {
	rs := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
	if profile == "" {
		return seccomp.GetDefaultProfile(rs)
	}
	return seccomp.LoadProfile(profile, rs)
}

// Program is a compiled profile as seccomp(SECCOMP_SET_MODE_FILTER, Flags, ...)
// takes it: Code is the array of struct sock_filter (Encode).
type Program struct {
	Code  []byte
	Flags uint32
}

// Filter resolves and compiles the profile for a container with the capabilities
// caps, or returns nil for a profile that filters nothing.
func Filter(profile string, caps []string) (*Program, error) {
	if runtime.GOARCH != "amd64" {
		return nil, fmt.Errorf("seccomp: compiling profiles for %s: %w", runtime.GOARCH, ErrUnsupported)
	}
	p, err := Resolve(profile, caps)
	if err != nil || p == nil {
		return nil, err
	}
	flags, err := filterFlags(p.Flags)
	if err != nil {
		return nil, err
	}
	prog, err := Compile(p)
	if err != nil {
		return nil, err
	}
	return &Program{Code: Encode(prog), Flags: flags}, nil
}

// filterFlags is the profile's flags for seccomp(2), as runc passes them: TSYNC is
// moot for the single-threaded process that loads the filter.
func filterFlags(flags []specs.LinuxSeccompFlag) (uint32, error) {
	var out uint32
	for _, f := range flags {
		switch f {
		case "SECCOMP_FILTER_FLAG_TSYNC":
		case specs.LinuxSeccompFlagLog:
			out |= unix.SECCOMP_FILTER_FLAG_LOG
		case specs.LinuxSeccompFlagSpecAllow:
			out |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
		default:
			return 0, fmt.Errorf("flag %q: %w", f, ErrUnsupported)
		}
	}
	return out, nil
}

// Encode writes prog as an array of struct sock_filter {u16 code; u8 jt, jf; u32 k}
// in the byte order of x86_64.
func Encode(prog []bpf.RawInstruction) []byte {
	b := make([]byte, 0, 8*len(prog))
	for _, in := range prog {
		b = binary.LittleEndian.AppendUint16(b, in.Op)
		b = append(b, in.Jt, in.Jf)
		b = binary.LittleEndian.AppendUint32(b, in.K)
	}
	return b
}
