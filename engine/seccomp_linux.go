package engine

import (
	_ "embed"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/berth-dev/berth/engine/seccomp"
	"golang.org/x/sys/unix"
)

// SeccompUnconfined is Spec.Seccomp for a container without a seccomp filter.
const SeccompUnconfined = "unconfined"

// filterKey is what a compiled filter depends on: the profile and the capabilities
// its includes/excludes test.
type filterKey struct {
	profile string
	caps    uint64
}

// filters caches the shim's seccomp record per filterKey: a compile takes about a
// millisecond, a container start should not.
var filters sync.Map // filterKey -> string

// defaultFilter is the record of Docker's default profile for the default
// capabilities on amd64, compiled ahead (TestDefaultFilterCompiled keeps it equal to
// what seccompRecord would compile, `go test ./engine -run TestDefaultFilterCompiled
// -update` rewrites it): most containers use it, and a process that starts one
// container (`run --rm`) would otherwise spend a millisecond and 2 MB of garbage on it.
//
//go:embed seccomp_default_amd64.rec
var defaultFilter string

// defaultFilterKernel is the newest minKernel of the default profile's rules (moby's
// ptrace rule, 4.8): the profile compiles to the same filter on every kernel since.
var defaultFilterKernel = [2]int{4, 8}

// precompiled is the key defaultFilter serves, and whether it serves here (amd64, a
// kernel since defaultFilterKernel): decided once, at the first cache miss.
var precompiled = sync.OnceValues(func() (filterKey, bool) {
	caps, err := capSet(false, nil, nil)
	ok := err == nil && runtime.GOARCH == "amd64" && defaultFilter != "" && kernelAtLeast(defaultFilterKernel)
	return filterKey{"", caps}, ok
})

// kernelAtLeast reports whether the running kernel's version is at least v (major,
// minor); false when it cannot tell.
func kernelAtLeast(v [2]int) bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	var major, minor int
	if n, _ := fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &major, &minor); n != 2 {
		return false
	}
	return major > v[0] || major == v[0] && minor >= v[1]
}

// seccompRecord is the shim's seccomp record for a container with the capability set
// caps: its profile compiled for those capabilities, as "<flags>:<program>" in hex,
// or "" for none (a privileged or unconfined container, or a profile that filters
// nothing), as Docker does.
func seccompRecord(spec *Spec, caps uint64) (string, error) {
	if spec.Privileged || spec.Seccomp == SeccompUnconfined {
		return "", nil
	}
	key := filterKey{spec.Seccomp, caps}
	if v, ok := filters.Load(key); ok {
		return v.(string), nil
	}
	if k, ok := precompiled(); ok && k == key {
		rec := strings.TrimSpace(defaultFilter)
		filters.Store(key, rec)
		return rec, nil
	}
	prog, err := seccomp.Filter(spec.Seccomp, capNameList(caps))
	if err != nil {
		return "", fmt.Errorf("seccomp profile: %w", err)
	}
	rec := seccompRecordOf(prog)
	filters.Store(key, rec)
	return rec, nil
}

// seccompRecordOf is the shim's record of a compiled profile ("" for none).
func seccompRecordOf(prog *seccomp.Program) string {
	if prog == nil {
		return ""
	}
	return strconv.FormatUint(uint64(prog.Flags), 16) + ":" + hex.EncodeToString(prog.Code)
}

// validateSeccomp compiles the spec's profile once, so that a bad one fails Create
// with ErrInvalid rather than Start.
func (s *Spec) validateSeccomp() error {
	caps, err := capSet(s.Privileged, s.CapAdd, s.CapDrop)
	if err != nil {
		return err
	}
	if _, err := seccompRecord(s, caps); err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	return nil
}

// capNameList is the names of the capabilities in the mask ("CAP_CHOWN", ...).
func capNameList(mask uint64) []string {
	var names []string
	for name, n := range capNames {
		if mask&(1<<n) != 0 {
			names = append(names, "CAP_"+name)
		}
	}
	sort.Strings(names)
	return names
}

// ValidateSeccomp reports whether profile (Spec.Seccomp) compiles, for a caller that
// checks its input before it makes anything; it returns an error wrapping ErrInvalid
// if not.
func ValidateSeccomp(profile string) error {
	s := Spec{Seccomp: profile}
	return s.validateSeccomp()
}
