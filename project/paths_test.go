package project

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// mustPath returns a path helper's result where a test's names are valid.
func mustPath(p string, err error) string {
	if err != nil {
		panic(err)
	}
	return p
}

// TestNamedPathsStayUnderRoot checks every path helper that takes a name, and the
// removals built on them: a bad name is refused and nothing outside the root goes.
func TestNamedPathsStayUnderRoot(t *testing.T) {
	base := t.TempDir()
	cfg := Config{Root: filepath.Join(base, "root"), RuntimeDir: filepath.Join(base, "run")}
	victim := filepath.Join(base, "victim")
	if err := os.MkdirAll(filepath.Join(victim, "_data"), 0o755); err != nil {
		t.Fatal(err)
	}
	bad := []string{"", ".", "..", "../../victim", "../../../victim", "a/b"}
	helpers := map[string]func(string) (string, error){
		"VolumeDir": cfg.VolumeDir, "projectDir": cfg.projectDir, "runDir": cfg.runDir,
		"socketPath": cfg.socketPath, "statePath": cfg.statePath, "restartsPath": cfg.paths().RestartsPath,
	}
	for hn, h := range helpers {
		for _, n := range bad {
			if p, err := h(n); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s(%q) = %q, %v, want ErrInvalid", hn, n, p, err)
			}
		}
	}
	for _, n := range bad {
		if err := cfg.removeVolume(n); !errors.Is(err, ErrInvalid) {
			t.Errorf("removeVolume(%q) = %v, want ErrInvalid", n, err)
		}
		if err := cfg.removeProjectDirs(n); !errors.Is(err, ErrInvalid) {
			t.Errorf("removeProjectDirs(%q) = %v, want ErrInvalid", n, err)
		}
		if cfg.volumeExists(n) {
			t.Errorf("volumeExists(%q) = true, want false", n)
		}
		if _, err := cfg.LoadState(n); !errors.Is(err, ErrInvalid) {
			t.Errorf("LoadState(%q) = %v, want ErrInvalid", n, err)
		}
		if _, err := cfg.lockProject(n); !errors.Is(err, ErrInvalid) {
			t.Errorf("lockProject(%q) = %v, want ErrInvalid", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(victim, "_data")); err != nil {
		t.Errorf("a helper removed %s: %v", victim, err)
	}
	if ents, _ := os.ReadDir(base); len(ents) != 1 {
		t.Errorf("helpers created %v beside the victim, want nothing", ents)
	}
}

func TestRunNameChecked(t *testing.T) {
	p := &compose.Project{Name: "p"}
	for _, n := range []string{"../x", "a/b", "..", "x"} {
		if _, err := oneoffService(p, compose.ServiceConfig{Name: "web"}, RunOptions{Name: n}); !errors.Is(err, compose.ErrInvalid) {
			t.Errorf("oneoffService(--name %q) = %v, want compose.ErrInvalid", n, err)
		}
	}
	if _, err := oneoffService(p, compose.ServiceConfig{Name: "web"}, RunOptions{Name: "my-job.1"}); err != nil {
		t.Errorf("oneoffService(--name my-job.1) = %v, want nil", err)
	}
}

// TestObjectPathChecked: a secret whose name would leave the project's secrets dir
// is refused before anything is written.
func TestObjectPathChecked(t *testing.T) {
	cfg := Config{Root: t.TempDir()}
	ref := compose.FileReferenceConfig{Source: "../../../x"}
	_, err := cfg.writeObject("p", kindSecret, ref, "data", engine.Mount{}, false)
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("writeObject(source %q) = %v, want ErrInvalid", ref.Source, err)
	}
	if _, err := cfg.writeObject("..", kindSecret, compose.FileReferenceConfig{Source: "s"}, "data", engine.Mount{}, false); !errors.Is(err, ErrInvalid) {
		t.Errorf("writeObject(project \"..\") = %v, want ErrInvalid", err)
	}
}

// TestConfigFromEnvNamesPerRoot: the default root keeps the plain host-wide names; any
// other root gets its own runtime dir, nftables table, name prefix and cgroup, so two
// roots on one host never rewrite each other's NAT rules or share sockets; the
// environment still wins.
func TestConfigFromEnvNamesPerRoot(t *testing.T) {
	for _, k := range []string{EnvRoot, EnvRuntimeDir, EnvNFTable, EnvNamePrefix, EnvCgroupParent, EnvAddressPools} {
		t.Setenv(k, "")
	}
	def, err := ConfigFromEnv("")
	if err != nil {
		t.Fatal(err)
	}
	if def.Root != DefaultRoot || def.RuntimeDir != "/run/berth" || def.Table != "berth" || def.NamePrefix != "berth" || def.CgroupParent != "berth" {
		t.Errorf("default root config = %+v, want the plain names", def)
	}
	a, _ := ConfigFromEnv("/tmp/a")
	b, _ := ConfigFromEnv("/tmp/b/")
	for _, c := range []Config{a, b} {
		if c.Table == "berth" || c.RuntimeDir == "/run/berth" || c.NamePrefix == "berth" || c.CgroupParent == "berth" || len(c.NamePrefix) > 6 {
			t.Errorf("config of root %s = %+v, want names of its own (prefix ≤ 6 bytes)", c.Root, c)
		}
	}
	if a.Table == b.Table || a.RuntimeDir == b.RuntimeDir || a.NamePrefix == b.NamePrefix || a.CgroupParent == b.CgroupParent {
		t.Errorf("roots /tmp/a and /tmp/b share names: %+v %+v", a, b)
	}
	if again, _ := ConfigFromEnv("/tmp/a/."); again.Table != a.Table || again.RuntimeDir != a.RuntimeDir {
		t.Errorf("the same root spelt differently gives %+v, want %+v", again, a)
	}
	t.Setenv(EnvNFTable, "mine")
	t.Setenv(EnvRuntimeDir, "/run/mine")
	if c, _ := ConfigFromEnv("/tmp/a"); c.Table != "mine" || c.RuntimeDir != "/run/mine" {
		t.Errorf("environment did not win: %+v", c)
	}
}
