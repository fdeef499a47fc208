package engine

import (
	"flag"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/seccomp"
	moby "github.com/moby/profiles/seccomp"
)

var updateDefaultFilter = flag.Bool("update", false, "rewrite seccomp_default_amd64.rec")

// TestDefaultFilterCompiled checks that the default filter compiled ahead is what the
// profile compiles to now (moby/profiles or the compiler may change).
func TestDefaultFilterCompiled(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the default filter is compiled ahead for amd64 only")
	}
	caps, err := capSet(false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := seccomp.Filter("", capNameList(caps))
	if err != nil {
		t.Fatalf("compile the default profile: %v", err)
	}
	want := seccompRecordOf(prog)
	if *updateDefaultFilter {
		if err := os.WriteFile("seccomp_default_amd64.rec", []byte(want+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := strings.TrimSpace(defaultFilter); got != want {
		t.Errorf("seccomp_default_amd64.rec is not the default profile compiled now (%d against %d characters): run go test ./engine -run TestDefaultFilterCompiled -update", len(got), len(want))
	}
	if got, _ := seccompRecord(&Spec{}, caps); got != want {
		t.Errorf("seccompRecord(default) is not the default profile compiled now")
	}
}

// TestDefaultFilterKernel checks that no rule of Docker's default profile depends on a
// kernel newer than defaultFilterKernel, from which on the filter compiled ahead is used.
func TestDefaultFilterKernel(t *testing.T) {
	for _, c := range moby.DefaultProfile().Syscalls {
		for _, f := range []*moby.Filter{c.Includes, c.Excludes} {
			if f == nil {
				continue
			}
			if k := f.MinKernel; k != nil && (int(k.Kernel) > defaultFilterKernel[0] || int(k.Kernel) == defaultFilterKernel[0] && int(k.Major) > defaultFilterKernel[1]) {
				t.Errorf("rule %v wants kernel %d.%d, after defaultFilterKernel %v", c.Names, k.Kernel, k.Major, defaultFilterKernel)
			}
		}
	}
}
