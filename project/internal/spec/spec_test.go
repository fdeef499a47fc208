package spec

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/plan"
	"github.com/berth-dev/berth/project/internal/state"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// specResources are the resources the golden specs are built from, as ensureResources
// would have made them.
var specResources = Resources{
	Anon:           map[string]string{"/cache": "anon-cache", "/var/lib/data": "anon-image-volume"},
	Objects:        []engine.Mount{{Type: "bind", Source: "/state/secrets/token-0-0-444", Target: "/run/secrets/token", ReadOnly: true}},
	Addrs:          []netip.Addr{netip.MustParseAddr("10.9.0.2"), netip.MustParseAddr("10.9.1.2")},
	Gateway:        netip.MustParseAddr("10.9.0.1"),
	HostResolvConf: []byte("nameserver 192.0.2.53\nsearch example.org\n"),
	ExitHook:       []string{"/usr/bin/berth", "_exited", "demo"},
	Socket:         "/run/berth/projects/demo/supervisor.sock",
}

// TestContainerSpecGolden builds the spec of the first container of every service of
// testdata/<case>/compose.yaml from fixed resources, without root, and compares
// it with want.json (-update rewrites it); the state root stays empty: building a
// spec makes nothing.
func TestContainerSpecGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases in testdata: %v", err)
	}
	img := v1.Config{Env: []string{"PATH=/bin"}, Volumes: map[string]struct{}{"/var/lib/data": {}}}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			root := t.TempDir()
			paths := state.Paths{Root: root, RuntimeDir: t.TempDir()}
			p := loadFile(t, filepath.Join(dir, "compose.yaml"))
			specs := map[string]engine.Spec{}
			for _, name := range p.ServiceNames() {
				svc := p.Services[name]
				c := &state.ContainerState{ID: name + "-id", Name: plan.ContainerName(p.Name, svc, 1), Hostname: name + "-host",
					NetNS: "/run/berth/netns/" + name + "-id", Labels: ContainerLabels(p, svc, 1, "hash", nil)}
				c.Labels[state.LabelImage] = "sha256:img"
				res := specResources
				if len(plan.ServiceNetworks(svc)) == 0 {
					res.Addrs, res.Gateway = nil, netip.Addr{}
				}
				if len(svc.Secrets) == 0 {
					res.Objects = nil
				}
				if policy := Restart(svc); !policy.Restarts() {
					res.ExitHook, res.Socket = nil, ""
				}
				spec, err := Build(paths, p, c, svc, img, []string{"/layers/1"}, res)
				if err != nil {
					t.Fatalf("Build(%s): %v", name, err)
				}
				specs[name] = spec
			}
			got, err := json.MarshalIndent(specs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = []byte(strings.NewReplacer(root, "$ROOT", p.WorkingDir, "$DIR").Replace(string(got)) + "\n")
			want := filepath.Join(dir, "want.json")
			if *update {
				if err := os.WriteFile(want, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(b) {
				t.Errorf("Build(%s) =\n%s\nwant (%s):\n%s", dir, got, want, b)
			}
			if left, _ := os.ReadDir(root); len(left) > 0 {
				t.Errorf("Build made %v under the state root; want nothing", left)
			}
		})
	}
}
