package depcheck

import (
	"os/exec"
	"path"
	"strings"
	"testing"
)

// allowed is, for each package of the module (its path relative to the module), what
// it may import besides the standard library, as go-containerregistry's depcheck
// keeps it: packages of the module (relative paths) and of other modules (full
// paths). An entry ending in "/..." allows a package and every package under it, as
// in a go pattern. A package without an entry takes its nearest parent's: project's
// internal rooms (project/internal/...) take project's list. Only non-test imports
// are checked; tests may import what they need.
var allowed = map[string][]string{
	"cmd/berth": {"compose", "engine/image", "housekeep", "internal/progress", "internal/residency", "kube", "project", "k8s.io/api/core/v1",
		"github.com/docker/go-units", "github.com/google/go-containerregistry/pkg/v1",
		"github.com/spf13/cobra", "github.com/spf13/pflag", "golang.org/x/sys/unix"},
	// The orchestrator: the only package that knows compose, engine, netdriver and
	// dnsserver; its internal rooms import each other.
	"project": {"project/internal/...", "builder", "compose", "dnsserver", "engine", "engine/image",
		"netdriver", "netdriver/portproxy", "internal/atomicfile", "watch",
		"github.com/docker/go-units", "github.com/google/go-containerregistry/pkg/v1", "golang.org/x/sys/unix"},
	// CDI device requests (GPUs): compose's requests, the host's CDI specs, engine terms.
	"project/internal/devreq": {"compose", "engine", "tags.cncf.io/container-device-interface/..."},
	// The builder runs Dockerfiles on the engine; its parsers know nothing else.
	"builder": {"builder/buildcontext", "builder/dockerfile", "engine", "engine/image", "internal/atomicfile",
		"github.com/google/go-containerregistry/pkg/v1", "golang.org/x/sys/unix"},
	"builder/buildcontext": {"github.com/moby/patternmatcher/..."},
	"builder/dockerfile":   {},
	// The loader is pure: no syscalls, no kernel libraries.
	"compose": {"compose/interp", "compose/schema", "github.com/distribution/reference", "github.com/docker/go-units",
		"github.com/mattn/go-shellwords", "go.yaml.in/yaml/v4"},
	"compose/interp": {},
	// The store berth owns, across projects: usage, listing and pruning.
	"housekeep": {"builder", "engine", "engine/image", "netdriver", "project",
		"github.com/google/go-containerregistry/pkg/v1"},
	// berth convert: a compose project to Kubernetes API objects, pure.
	"kube":           {"compose", "k8s.io/api/...", "k8s.io/apimachinery/...", "sigs.k8s.io/yaml"},
	"compose/schema": {},
	"dnsserver":      {"github.com/miekg/dns", "golang.org/x/net/ipv4", "golang.org/x/net/ipv6", "golang.org/x/sys/unix"},
	// The engine takes images as data: it never imports engine/image.
	"engine": {"engine/seccomp", "engine/shimproto", "internal/atomicfile", "internal/threads",
		"github.com/cilium/ebpf/...", "github.com/google/go-containerregistry/pkg/v1", "golang.org/x/sys/unix"},
	"engine/image": {"internal/atomicfile", "github.com/google/go-containerregistry/pkg/...", "github.com/klauspost/compress/gzip",
		"golang.org/x/sys/unix"},
	"engine/seccomp": {"github.com/moby/profiles/seccomp", "github.com/opencontainers/runtime-spec/specs-go",
		"golang.org/x/net/bpf", "golang.org/x/sys/unix"},
	"engine/shimproto": {},
	"netdriver": {"internal/atomicfile", "internal/threads", "netdriver/portproxy", "github.com/google/nftables/...",
		"github.com/vishvananda/netlink", "github.com/vishvananda/netns", "golang.org/x/sys/unix"},
	// The userland port proxy: sockets only.
	"netdriver/portproxy": {},
	"internal/atomicfile": {"golang.org/x/sys/unix"},
	"internal/depcheck":   {},
	"internal/testenv":    {},
	"internal/threads":    {"golang.org/x/sys/unix"},
	"internal/residency":  {"golang.org/x/sys/unix"},
	// develop.watch: paths, patterns, inotify, debouncing; no compose, no engine.
	"watch":             {"github.com/moby/patternmatcher/...", "golang.org/x/sys/unix"},
	"internal/progress": {"golang.org/x/sys/unix"},
	// The example services: standalone programs with a shared health handler.
	"examples": {"examples/internal/..."},
}

// TestAllowedImports fails for every import of a package of the module that its
// allow-list does not allow, naming both.
func TestAllowedImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "berth_shim", "-f",
		"{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list %s/...: %v", module, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := relative(fields[0])
		list, owner, ok := allowList(pkg)
		if !ok {
			t.Errorf("package %s has no allow-list: add one (or its parent's) to allowed", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if !allows(list, imp) {
				t.Errorf("package %s imports %s, which the allow-list of %s does not allow", pkg, relative(imp), owner)
			}
		}
	}
}

// TestAllowListsNameRealPackages keeps allowed free of entries for packages that do not
// exist (renamed or removed): such an entry would hand its list to a new package of
// that name unnoticed.
func TestAllowListsNameRealPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "berth_shim", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list %s/...: %v", module, err)
	}
	dirs := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		for d := relative(p); d != "." && d != ""; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for pkg := range allowed {
		if !dirs[pkg] {
			t.Errorf("allowed has a list for %s, which is no package or parent of one", pkg)
		}
	}
}

func TestAllows(t *testing.T) {
	list := []string{"engine", "project/internal/...", "github.com/cilium/ebpf/...", "github.com/google/go-containerregistry/pkg/v1"}
	tests := []struct {
		imp  string
		want bool
	}{
		{"fmt", true},
		{"net/http", true},
		{module + "/engine", true},
		{module + "/engine/image", false},
		{module + "/project/internal/plan", true},
		{module + "/project/internal", true},
		{module + "/project", false},
		{"github.com/cilium/ebpf", true},
		{"github.com/cilium/ebpf/link", true},
		{"github.com/cilium/ebpfx", false},
		{"github.com/google/go-containerregistry/pkg/v1", true},
		{"github.com/google/go-containerregistry/pkg/v1/remote", false},
		{"golang.org/x/sys/unix", false},
	}
	for _, tt := range tests {
		if got := allows(list, tt.imp); got != tt.want {
			t.Errorf("allows(%q, %q) = %v, want %v", list, tt.imp, got, tt.want)
		}
	}
	for _, tt := range []struct{ pkg, owner string }{
		{"engine", "engine"}, {"engine/image", "engine/image"}, {"project/internal/plan", "project"},
		{"examples/webapp/web", "examples"}, {"nope/x", ""},
	} {
		if _, owner, _ := allowList(tt.pkg); owner != tt.owner {
			t.Errorf("allowList(%q) is %q's, want %q's", tt.pkg, owner, tt.owner)
		}
	}
}

// relative is p relative to the module, or p for a package of another module.
func relative(p string) string {
	if p == module {
		return "."
	}
	return strings.TrimPrefix(p, module+"/")
}

// allowList returns pkg's allow-list: its own, else its nearest parent's, and the
// package whose list it is.
func allowList(pkg string) (list []string, owner string, ok bool) {
	for p := pkg; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		if list, ok := allowed[p]; ok {
			return list, p, true
		}
	}
	return nil, "", false
}

// allows reports whether list allows the import imp: the standard library always
// (its paths have no dot in their first element), else an entry naming imp, or
// naming a parent of it with "/...".
func allows(list []string, imp string) bool {
	if first, _, _ := strings.Cut(imp, "/"); !strings.Contains(first, ".") {
		return true
	}
	rel := relative(imp)
	for _, entry := range list {
		if tree, ok := strings.CutSuffix(entry, "/..."); ok {
			if rel == tree || strings.HasPrefix(rel, tree+"/") {
				return true
			}
		} else if rel == entry {
			return true
		}
	}
	return false
}
