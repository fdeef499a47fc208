package kube

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the converter a pure function of the compose model: of
// berth's packages it imports compose only, and of Kubernetes' the API types (not
// client-go, which only the API server test uses).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	const module = "github.com/berth-dev/berth/"
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == module+"kube", dep == module+"compose", strings.HasPrefix(dep, module+"compose/"):
		case strings.HasPrefix(dep, module):
			t.Errorf("kube depends on %s; of berth's packages it may import compose only", dep)
		case strings.HasPrefix(dep, "k8s.io/client-go"):
			t.Errorf("kube depends on %s; it builds API objects and needs no client", dep)
		}
	}
}
