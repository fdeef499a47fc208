package builder

import (
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/builder/dockerfile"
)

// TestBuildExpandsWithBaseImageEnv: ENV PATH=$PATH:... and WORKDIR /srv/$FOO expand
// with the base image's ENV (Docker's behaviour), in the config and in RUN; a FROM
// scratch image gets Docker's default PATH in its config, as BuildKit writes it.
func TestBuildExpandsWithBaseImageEnv(t *testing.T) {
	env := newTestEnv(t)
	if _, out, err := env.build(t, map[string]string{"Dockerfile": "FROM bt-busybox\nENV BASEDIR=/srv/base\n"},
		Options{Tags: []string{"bt-envbase"}}); err != nil {
		t.Fatalf("Build base = %v\n%s", err, out)
	}
	df := "FROM bt-envbase\nENV PATH=$PATH:/opt/tool/bin\nWORKDIR $BASEDIR/app\nRUN echo \"$PATH\" > /path.txt && pwd > /pwd.txt\n"
	if _, out, err := env.build(t, map[string]string{"Dockerfile": df}, Options{Tags: []string{"bt-envapp"}}); err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	img, l := env.imageFS(t, "bt-envapp")
	if !slices.Contains(img.Config.Config.Env, "PATH=/bin:/opt/tool/bin") {
		t.Errorf("Env = %q, want PATH=/bin:/opt/tool/bin", img.Config.Config.Env)
	}
	if got := img.Config.Config.WorkingDir; got != "/srv/base/app" {
		t.Errorf("WorkingDir = %q, want /srv/base/app", got)
	}
	if got := strings.TrimSpace(fileIn(t, l, "path.txt")); got != "/bin:/opt/tool/bin" {
		t.Errorf("$PATH in RUN = %q, want /bin:/opt/tool/bin", got)
	}
	if got := strings.TrimSpace(fileIn(t, l, "pwd.txt")); got != "/srv/base/app" {
		t.Errorf("pwd in RUN = %q, want /srv/base/app", got)
	}

	if _, out, err := env.build(t, map[string]string{"Dockerfile": "FROM scratch\nENV PATH=$PATH:/x\n", "f": "x"},
		Options{Tags: []string{"bt-envscratch"}}); err != nil {
		t.Fatalf("Build scratch = %v\n%s", err, out)
	}
	img, err := env.store.Get("bt-envscratch")
	if err != nil {
		t.Fatal(err)
	}
	if want := "PATH=" + dockerfile.DefaultPath + ":/x"; !slices.Equal(img.Config.Config.Env, []string{want}) {
		t.Errorf("scratch Env = %q, want [%s]", img.Config.Config.Env, want)
	}
}

// TestBuildImageWithoutPath: an imported rootfs has no ENV at all (`image import`, a
// debootstrap tarball); BuildKit gives every stage Docker's default PATH, so that
// `ENV PATH=$PATH:/usr/lib/postgresql/15/bin` keeps /usr/bin and /bin and RUN finds
// mkdir, and the image's config has the PATH.
func TestBuildImageWithoutPath(t *testing.T) {
	env := newTestEnv(t)
	env.importBusyboxAs(t, "bt-nopath:latest")
	df := "FROM bt-nopath\nENV PATH=$PATH:/opt/pg/bin\nRUN mkdir /made && echo \"$PATH\" > /path.txt\n"
	if _, out, err := env.build(t, map[string]string{"Dockerfile": df}, Options{Tags: []string{"bt-nopath-app"}}); err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	img, l := env.imageFS(t, "bt-nopath-app")
	want := dockerfile.DefaultPath + ":/opt/pg/bin"
	if !slices.Contains(img.Config.Config.Env, "PATH="+want) {
		t.Errorf("Env = %q, want PATH=%s", img.Config.Config.Env, want)
	}
	if got := strings.TrimSpace(fileIn(t, l, "path.txt")); got != want {
		t.Errorf("$PATH in RUN = %q, want %s", got, want)
	}
	if _, out, err := env.build(t, map[string]string{"Dockerfile": "FROM bt-nopath\nRUN true\n"}, Options{Tags: []string{"bt-nopath-plain"}}); err != nil {
		t.Fatalf("Build plain = %v\n%s", err, out)
	}
	if img, err := env.store.Get("bt-nopath-plain"); err != nil || !slices.Contains(img.Config.Config.Env, "PATH="+dockerfile.DefaultPath) {
		t.Errorf("plain Env = %q (%v), want the default PATH", img.Config.Config.Env, err)
	}
}
