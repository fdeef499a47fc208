package buildcontext

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// makeTree creates files under a temp dir: a name ending in "/" is a
// directory, "->target" values make symlinks, other values are contents.
func makeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case name[len(name)-1] == '/':
			err = os.MkdirAll(p, 0o755)
		case len(content) > 2 && content[:2] == "->":
			err = os.Symlink(content[2:], p)
		default:
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var tree = map[string]string{
	"Dockerfile":        "FROM scratch",
	"main.go":           "package main",
	"README.md":         "readme",
	"docs/guide.md":     "guide",
	"docs/keep.md":      "keep",
	"node_modules/a.js": "a",
	"src/app/x.go":      "x",
	"src/app/x_test.go": "t",
	"src/lib/y.go":      "y",
	"logs/2024.log":     "log",
	"empty/":            "",
}

func TestFiles(t *testing.T) {
	tests := []struct {
		name   string
		ignore string
		want   []string
	}{
		{"no ignore file", "", []string{".dockerignore", "Dockerfile", "README.md", "docs", "docs/guide.md", "docs/keep.md", "empty", "logs", "logs/2024.log", "main.go", "node_modules", "node_modules/a.js", "src", "src/app", "src/app/x.go", "src/app/x_test.go", "src/lib", "src/lib/y.go"}},
		{"dirs and comments", "# comment\nnode_modules\n/logs\nempty\n", []string{".dockerignore", "Dockerfile", "README.md", "docs", "docs/guide.md", "docs/keep.md", "main.go", "src", "src/app", "src/app/x.go", "src/app/x_test.go", "src/lib", "src/lib/y.go"}},
		{"exception re-includes", "docs\n!docs/keep.md\n*.md\n!README.md\n", []string{".dockerignore", "Dockerfile", "README.md", "docs/keep.md", "empty", "logs", "logs/2024.log", "main.go", "node_modules", "node_modules/a.js", "src", "src/app", "src/app/x.go", "src/app/x_test.go", "src/lib", "src/lib/y.go"}},
		{"double star", "**/*_test.go\n**/*.log\n", []string{".dockerignore", "Dockerfile", "README.md", "docs", "docs/guide.md", "docs/keep.md", "empty", "logs", "main.go", "node_modules", "node_modules/a.js", "src", "src/app", "src/app/x.go", "src/lib", "src/lib/y.go"}},
		{"everything but Dockerfile still sent", "*\n!src/lib\n", []string{".dockerignore", "Dockerfile", "src/lib", "src/lib/y.go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{".dockerignore": tt.ignore}
			for k, v := range tree {
				files[k] = v
			}
			c, err := Open(makeTree(t, files), "")
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			got, err := c.Files()
			if err != nil {
				t.Fatalf("Files() = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Files() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDockerfileSpecificIgnore(t *testing.T) {
	dir := makeTree(t, map[string]string{
		"build/app.Dockerfile":              "FROM scratch",
		"build/app.Dockerfile.dockerignore": "secret\n",
		".dockerignore":                     "main.go\n",
		"secret":                            "s",
		"main.go":                           "m",
	})
	c, err := Open(dir, "build/app.Dockerfile")
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	for rel, want := range map[string]bool{"secret": true, "main.go": false, "build/app.Dockerfile": false} {
		if got, err := c.Excluded(rel); err != nil || got != want {
			t.Errorf("Excluded(%q) = %v, %v, want %v", rel, got, err, want)
		}
	}
}

func TestOpenInvalidPattern(t *testing.T) {
	dir := makeTree(t, map[string]string{".dockerignore": "[\n"})
	if _, err := Open(dir, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open with pattern %q = %v, want ErrInvalid", "[", err)
	}
}
