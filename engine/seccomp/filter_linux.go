package seccomp

import (
	"encoding/binary"
	"fmt"
	"runtime"

	"github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
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

// Filter resolves and compiles the profile for a container with the capabilities
// caps and returns the program as the kernel takes it (Encode), or nil for a profile
// that filters nothing.
func Filter(profile string, caps []string) ([]byte, error) {
	if runtime.GOARCH != "amd64" {
		return nil, fmt.Errorf("seccomp: compiling profiles for %s: %w", runtime.GOARCH, ErrUnsupported)
	}
	p, err := Resolve(profile, caps)
	if err != nil || p == nil {
		return nil, err
	}
	prog, err := Compile(p)
	if err != nil {
		return nil, err
	}
	return Encode(prog), nil
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
