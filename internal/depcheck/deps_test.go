package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/berth-dev/berth"

// leafPackages may not depend on each other, on the orchestrator or on the CLI.
var leafPackages = []string{"compose", "engine", "netdriver", "dnsserver"}

// forbiddenFor lists, for each leaf, the package prefixes it must never import.
func forbiddenFor(leaf string) []string {
	var out []string
	for _, other := range leafPackages {
		if other != leaf {
			out = append(out, module+"/"+other)
		}
	}
	return append(out, module+"/cmd", module+"/project")
}

func TestLeafPackagesDoNotImportEachOther(t *testing.T) {
	for _, leaf := range leafPackages {
		t.Run(leaf, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", module+"/"+leaf+"/...").Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", leaf, err)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, bad := range forbiddenFor(leaf) {
					if dep == bad || strings.HasPrefix(dep, bad+"/") {
						t.Errorf("package %s depends on %s; leaf packages must not import each other, the orchestrator or cmd", leaf, dep)
					}
				}
			}
		})
	}
}

// TestComposeIsPure keeps the loader free of syscalls and kernel libraries.
func TestComposeIsPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"/compose/...").Output()
	if err != nil {
		t.Fatalf("go list -deps compose: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"golang.org/x/sys/unix", "github.com/vishvananda/netlink", "github.com/google/nftables", "github.com/miekg/dns"} {
			if dep == bad {
				t.Errorf("compose depends on %s; the loader must stay pure", dep)
			}
		}
	}
}
