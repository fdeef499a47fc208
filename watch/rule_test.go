package watch

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRuleMatch(t *testing.T) {
	tests := []struct {
		name    string
		rule    Rule
		opts    RuleOptions
		path    string
		want    string
		matched bool
	}{
		{name: "file below the path maps under the target", rule: Rule{Path: "/src", Target: "/app"},
			path: "/src/a/b.go", want: "/app/a/b.go", matched: true},
		{name: "the path itself maps to the target", rule: Rule{Path: "/src/main.go", Target: "/app/main.go"},
			path: "/src/main.go", want: "/app/main.go", matched: true},
		{name: "outside the path", rule: Rule{Path: "/src", Target: "/app"}, path: "/srcx/a"},
		{name: "no target (rebuild)", rule: Rule{Path: "/src"}, path: "/src/a", matched: true},
		{name: "ignore relative to the path", rule: Rule{Path: "/src", Target: "/app"},
			opts: RuleOptions{Ignore: []string{"node_modules/"}}, path: "/src/node_modules/x/y.js"},
		{name: "ignore is not matched anywhere below", rule: Rule{Path: "/src", Target: "/app"},
			opts: RuleOptions{Ignore: []string{"node_modules/"}}, path: "/src/lib/node_modules/y.js",
			want: "/app/lib/node_modules/y.js", matched: true},
		{name: "ignore glob", rule: Rule{Path: "/src"}, opts: RuleOptions{Ignore: []string{"**/*.tmp"}},
			path: "/src/a/b.tmp"},
		{name: "ignore exclusion", rule: Rule{Path: "/src"}, opts: RuleOptions{Ignore: []string{"*.md", "!README.md"}},
			path: "/src/README.md", matched: true},
		{name: "include keeps matching", rule: Rule{Path: "/src"}, opts: RuleOptions{Include: []string{"*.go"}},
			path: "/src/main.go", matched: true},
		{name: "include drops others", rule: Rule{Path: "/src"}, opts: RuleOptions{Include: []string{"*.go"}},
			path: "/src/main.c"},
		{name: "include of a directory covers its files", rule: Rule{Path: "/src"},
			opts: RuleOptions{Include: []string{"pkg"}}, path: "/src/pkg/a/b.go", matched: true},
		{name: "ignore wins over include", rule: Rule{Path: "/src"},
			opts: RuleOptions{Include: []string{"*.go"}, Ignore: []string{"gen.go"}}, path: "/src/gen.go"},
		{name: "Compose: * in ignore keeps only exclusions, so nothing is ignored", rule: Rule{Path: "/src"},
			opts: RuleOptions{Ignore: []string{"*", "!keep"}}, path: "/src/other", matched: true},
		{name: "vim swap file", rule: Rule{Path: "/src"}, path: "/src/.main.go.swp"},
		{name: "vim write probe", rule: Rule{Path: "/src"}, path: "/src/4913"},
		{name: "backup file", rule: Rule{Path: "/src"}, path: "/src/main.go~"},
		{name: "emacs lock", rule: Rule{Path: "/src"}, path: "/src/.#main.go"},
		{name: "goland temp", rule: Rule{Path: "/src"}, path: "/src/a.go___jb_tmp___"},
		{name: ".git anywhere", rule: Rule{Path: "/src"}, path: "/src/.git/HEAD"},
		{name: "a file named like .git's content is not .git", rule: Rule{Path: "/src"}, path: "/src/git/HEAD", matched: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRule(tt.rule, tt.opts)
			if err != nil {
				t.Fatalf("NewRule: %v", err)
			}
			got, ok, err := r.Match(tt.path)
			if err != nil || ok != tt.matched || got != tt.want {
				t.Errorf("Match(%q) = %q, %v, %v; want %q, %v, nil", tt.path, got, ok, err, tt.want, tt.matched)
			}
		})
	}
}

func TestRuleDockerIgnore(t *testing.T) {
	ctx := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(ctx, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".dockerignore", "*.log\nbuild/\n")
	di, err := LoadDockerIgnore(ctx, "Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRule(Rule{Path: ctx, Target: "/app"}, RuleOptions{DockerIgnore: di})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{"a.log": false, "build/x": false, "main.go": true, "Dockerfile": true} {
		if _, ok, err := r.Match(filepath.Join(ctx, path)); ok != want || err != nil {
			t.Errorf("Match(%s) = %v, %v; want %v (.dockerignore: *.log, build/)", path, ok, err, want)
		}
	}
	// A Dockerfile-specific ignore file wins over .dockerignore, as in Compose.
	write("app.Dockerfile.dockerignore", "main.go\n")
	if di, err = LoadDockerIgnore(ctx, "app.Dockerfile"); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{"main.go": true, "a.log": false} {
		if got, err := di.Matches(filepath.Join(ctx, path)); got != want || err != nil {
			t.Errorf("app.Dockerfile.dockerignore Matches(%s) = %v, %v; want %v", path, got, err, want)
		}
	}
	if got, _ := (None{}).Matches("/x"); got {
		t.Error("None matched")
	}
}

func TestNewRuleBadPattern(t *testing.T) {
	if _, err := NewRule(Rule{Path: "/src", Service: "web"}, RuleOptions{Ignore: []string{"["}}); err == nil {
		t.Error("NewRule with ignore [ succeeded, want a pattern error")
	}
}

func TestIsChild(t *testing.T) {
	for _, tt := range []struct {
		dir, file string
		want      bool
	}{
		{"/a", "/a", true}, {"/a", "/a/b", true}, {"/a/", "/a/b", true}, {"/a", "/ab", false},
		{"/a/b", "/a", false}, {"/", "/x", true}, {"", "/x", false},
	} {
		if got := IsChild(tt.dir, tt.file); got != tt.want {
			t.Errorf("IsChild(%q, %q) = %v, want %v", tt.dir, tt.file, got, tt.want)
		}
	}
}
