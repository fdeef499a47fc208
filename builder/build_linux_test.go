package builder

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

func TestScratchCopyStaticBinary(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "hello"), "../engine/testdata/hello")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY hello /usr/local/bin/\nENTRYPOINT [\"/usr/local/bin/hello\"]\nCMD [\"x\"]\n"), 0o644)
	id, out, err := env.build(t, nil, Options{ContextDir: dir, Tags: []string{"bt-hello"}})
	if err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	for _, want := range []string{"[stage-0 1/2] FROM scratch", "[stage-0 2/2] COPY hello /usr/local/bin/", "naming to docker.io/library/bt-hello:latest done"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	img, _ := env.imageFS(t, "bt-hello")
	if img.ID != id || len(img.Layers) != 1 {
		t.Fatalf("image = %s with %d layers, want %s with 1", img.ID, len(img.Layers), id)
	}
	dirs, _ := env.store.LayerDirs(img)
	spec := engine.Spec{ID: "bt-run-" + randomHex(4), LayerDirs: dirs, Image: img.Config.Config}
	if err := env.engine.Create(spec); err != nil {
		t.Fatalf("Create = %v", err)
	}
	defer env.engine.Remove(spec.ID, true)
	if err := env.engine.Start(spec.ID); err != nil {
		t.Fatalf("Start = %v", err)
	}
	if es, err := env.engine.Wait(spec.ID); err != nil || es.ExitCode != 0 {
		t.Fatalf("Wait = %+v, %v", es, err)
	}
	var log strings.Builder
	env.engine.Logs(spec.ID, engine.LogOptions{}, func(le engine.LogEntry) error { log.WriteString(le.Log); return nil })
	if log.String() != "hello [x]\n" {
		t.Errorf("output of the built image = %q, want %q", log.String(), "hello [x]\n")
	}
	if err := env.engine.Remove(spec.ID, false); err != nil {
		t.Errorf("Remove = %v", err)
	}
}

func TestMultiStageCopyFrom(t *testing.T) {
	env := newTestEnv(t)
	df := `FROM bt-busybox AS build
RUN mkdir -p /out/sub && echo built > /out/sub/result.txt && echo skip > /out/other
FROM scratch
COPY --from=build /out/sub/*.txt /app/
COPY --from=bt-busybox /etc/passwd /etc/passwd
`
	_, out, err := env.build(t, map[string]string{"Dockerfile": df}, Options{Tags: []string{"bt-multi"}})
	if err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	_, l := env.imageFS(t, "bt-multi")
	if got := fileIn(t, l, "app/result.txt"); got != "built\n" {
		t.Errorf("/app/result.txt = %q, want built", got)
	}
	if !strings.Contains(fileIn(t, l, "etc/passwd"), "app:x:1000") {
		t.Errorf("/etc/passwd was not copied from the image")
	}
	if _, err := l.lstat("out"); err == nil {
		t.Errorf("/out of the build stage leaked into the final image")
	}
}

func TestCache(t *testing.T) {
	env := newTestEnv(t)
	df := "FROM bt-busybox\nRUN echo one > /one\nCOPY a.txt /a.txt\nRUN cat /a.txt > /copy\nENV X=1\n"
	ctxDir := writeContext(t, map[string]string{"Dockerfile": df, "a.txt": "v1"})
	id1, out, err := env.build(t, nil, Options{ContextDir: ctxDir, Tags: []string{"bt-cache"}})
	if err != nil {
		t.Fatalf("first Build = %v\n%s", err, out)
	}
	if strings.Contains(out, "CACHED") {
		t.Errorf("first build used the cache:\n%s", out)
	}
	// Without an engine a RUN that is not cached fails: the rebuild must start none.
	start := time.Now()
	var buf bytes.Buffer
	id2, err := Build(t.Context(), Options{ContextDir: ctxDir, Store: env.store, Tags: []string{"bt-cache"}, Progress: &buf, Pull: PullNever})
	if err != nil {
		t.Fatalf("cached Build = %v\n%s", err, buf.String())
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cached rebuild took %v, want well under a second", d)
	}
	if id2 != id1 {
		t.Errorf("cached rebuild gave image %s, want the same %s", id2, id1)
	}
	if n := strings.Count(buf.String(), "CACHED"); n != 3 {
		t.Errorf("cached rebuild: %d CACHED steps, want 3:\n%s", n, buf.String())
	}
	os.WriteFile(filepath.Join(ctxDir, "a.txt"), []byte("v2"), 0o644)
	id3, out, err := env.build(t, nil, Options{ContextDir: ctxDir, Tags: []string{"bt-cache"}})
	if err != nil {
		t.Fatalf("Build after a change = %v\n%s", err, out)
	}
	if n := strings.Count(out, "CACHED"); n != 1 || !strings.Contains(out, "RUN echo one > /one\n#3 CACHED") {
		t.Errorf("after changing a.txt: want only the first RUN cached:\n%s", out)
	}
	_, l := env.imageFS(t, id3)
	if got := fileIn(t, l, "copy"); got != "v2" {
		t.Errorf("/copy = %q after the change, want v2", got)
	}
	_, out, err = env.build(t, nil, Options{ContextDir: ctxDir, NoCache: true})
	if err != nil || strings.Contains(out, "CACHED") {
		t.Errorf("NoCache build = %v, want no CACHED step:\n%s", err, out)
	}
}

func TestArgEnvExpansion(t *testing.T) {
	env := newTestEnv(t)
	df := `ARG BASE=bt-busybox
FROM ${BASE}
ARG V=1
ARG ONLYARG=plain
ENV A=$V B="x y"
LABEL version=$V
RUN echo "$A-$V-$B-$ONLYARG" > /result
`
	_, out, err := env.build(t, map[string]string{"Dockerfile": df}, Options{BuildArgs: map[string]string{"V": "2"}, Tags: []string{"bt-args"}})
	if err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	img, l := env.imageFS(t, "bt-args")
	if got := fileIn(t, l, "result"); got != "2-2-x y-plain\n" {
		t.Errorf("/result = %q, want %q", got, "2-2-x y-plain\n")
	}
	c := img.Config.Config
	if !slices.Contains(c.Env, "A=2") || !slices.Contains(c.Env, "B=x y") || c.Labels["version"] != "2" {
		t.Errorf("config Env = %v, Labels = %v; want A=2, B=x y, version=2", c.Env, c.Labels)
	}
	for _, kv := range c.Env {
		if strings.HasPrefix(kv, "V=") || strings.HasPrefix(kv, "ONLYARG=") {
			t.Errorf("ARG %s persisted in the image's Env", kv)
		}
	}
}

func TestUserWorkdir(t *testing.T) {
	env := newTestEnv(t)
	df := `FROM bt-busybox
WORKDIR /srv/app
WORKDIR sub
USER app
RUN pwd > /tmp/pwd && id -u > /tmp/uid && touch /tmp/made
USER 0
RUN id -u > /tmp/uid0
USER app:extra
`
	_, out, err := env.build(t, map[string]string{"Dockerfile": df}, Options{Tags: []string{"bt-user"}})
	if err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	img, l := env.imageFS(t, "bt-user")
	if c := img.Config.Config; c.WorkingDir != "/srv/app/sub" || c.User != "app:extra" {
		t.Errorf("config WorkingDir = %q, User = %q; want /srv/app/sub, app:extra", c.WorkingDir, c.User)
	}
	if n, err := l.lstat("srv/app/sub"); err != nil || !n.info.IsDir() {
		t.Errorf("WORKDIR did not create /srv/app/sub: %v", err)
	}
	for file, want := range map[string]string{"tmp/pwd": "/srv/app/sub\n", "tmp/uid": "1000\n", "tmp/uid0": "0\n"} {
		if got := fileIn(t, l, file); got != want {
			t.Errorf("/%s = %q, want %q", file, got, want)
		}
	}
	if n, err := l.lstat("tmp/made"); err != nil || n.info.Sys().(*syscall.Stat_t).Uid != 1000 {
		t.Errorf("/tmp/made = %v, want a file owned by 1000", err)
	}
}

func TestCopyChownAndDockerignore(t *testing.T) {
	env := newTestEnv(t)
	files := map[string]string{
		"Dockerfile":     "FROM bt-busybox\nCOPY --chown=app:extra . /ctx/\nCOPY --chown=1234 --chmod=600 keep.txt /n/keep.txt\n",
		".dockerignore":  "secret.txt\n**/*.log\n",
		"keep.txt":       "keep",
		"secret.txt":     "secret",
		"logs/debug.log": "log",
		"dir/inner.txt":  "inner",
	}
	_, out, err := env.build(t, files, Options{Tags: []string{"bt-chown"}})
	if err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	_, l := env.imageFS(t, "bt-chown")
	for _, rel := range []string{"ctx/secret.txt", "ctx/logs/debug.log"} {
		if _, err := l.lstat(rel); err == nil {
			t.Errorf("/%s was copied despite .dockerignore", rel)
		}
	}
	for rel, want := range map[string][3]uint32{"ctx/keep.txt": {1000, 2000, 0o644}, "ctx/dir/inner.txt": {1000, 2000, 0o644}, "ctx/dir": {1000, 2000, 0o755}, "n/keep.txt": {1234, 1234, 0o600}} {
		n, err := l.lstat(rel)
		if err != nil {
			t.Errorf("/%s missing: %v", rel, err)
			continue
		}
		st := n.info.Sys().(*syscall.Stat_t)
		if got := [3]uint32{st.Uid, st.Gid, uint32(n.info.Mode().Perm())}; got != want {
			t.Errorf("/%s uid, gid, mode = %v, want %o", rel, got, want)
		}
	}
	_, _, err = env.build(t, map[string]string{"Dockerfile": "FROM bt-busybox\nCOPY --chown=nobody a /a\n", "a": "a"}, Options{})
	if err == nil || !strings.Contains(err.Error(), `Dockerfile:2: COPY --chown=nobody: user "nobody"`) {
		t.Errorf("COPY --chown=nobody = %v, want an error naming line 2 and the user", err)
	}
	_, _, err = env.build(t, map[string]string{"Dockerfile": "FROM bt-busybox\nCOPY secret.txt /\n", "secret.txt": "s", ".dockerignore": "secret.txt"}, Options{})
	if err == nil || !strings.Contains(err.Error(), "Dockerfile:2: COPY secret.txt") || !strings.Contains(err.Error(), ".dockerignore") {
		t.Errorf("COPY of an ignored file = %v, want a Dockerfile:2 error naming .dockerignore", err)
	}
}

func TestRunFailure(t *testing.T) {
	env := newTestEnv(t)
	_, out, err := env.build(t, map[string]string{"Dockerfile": "FROM bt-busybox\nRUN echo oops >&2; exit 3\n"}, Options{})
	var re *RunError
	if !errors.As(err, &re) || re.ExitCode != 3 {
		t.Fatalf("Build = %v, want a *RunError with exit code 3", err)
	}
	if want := "Dockerfile:2: RUN echo oops >&2; exit 3: exit code 3"; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "oops") {
		t.Errorf("error = %q, want it to start with %q and show the output", err, want)
	}
	if !strings.Contains(out, " oops\n") || !strings.Contains(out, "ERROR: ") {
		t.Errorf("progress lacks the output or the error:\n%s", out)
	}
	_, _, err = env.build(t, map[string]string{"Dockerfile": "FROM bt-busybox\nRUN [\"/bin/nonexistent\"]\n"}, Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "Dockerfile:2: RUN") {
		t.Errorf("RUN of a missing executable = %v, want a Dockerfile:2 error", err)
	}
}

func TestRunDeletionsAndShell(t *testing.T) {
	env := newTestEnv(t)
	df := `FROM bt-busybox
RUN mkdir -p /d/keep && echo x > /d/keep/f && echo y > /d/gone
SHELL ["/bin/sh", "-e", "-c"]
RUN rm /etc/group /d/gone && rm -r /d/keep && mkdir /d/keep && echo new > /d/keep/g
RUN ["/bin/sh", "-c", "echo exec > /exec"]
`
	_, out, err := env.build(t, map[string]string{"Dockerfile": df}, Options{Tags: []string{"bt-del"}})
	if err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	img, l := env.imageFS(t, "bt-del")
	for _, rel := range []string{"etc/group", "d/gone", "d/keep/f"} {
		if _, err := l.lstat(rel); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("/%s after its deletion: %v, want it gone", rel, err)
		}
	}
	if fileIn(t, l, "d/keep/g") != "new\n" || fileIn(t, l, "exec") != "exec\n" {
		t.Errorf("files written after the deletions are missing")
	}
	if got := img.Config.Config.Shell; !slices.Equal(got, []string{"/bin/sh", "-e", "-c"}) {
		t.Errorf("config Shell = %v", got)
	}
	if _, err := l.lstat("proc"); err == nil {
		t.Errorf("the /proc mount point leaked into a RUN layer")
	}
}

func TestAddArchive(t *testing.T) {
	env := newTestEnv(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "pkg/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "pkg/data.txt", Mode: 0o640, Size: 4, Uid: 7, Gid: 8})
	tw.Write([]byte("data"))
	tw.Close()
	zw.Close()
	dir := writeContext(t, map[string]string{"Dockerfile": "FROM scratch\nADD pkg.tar.gz /opt/\nADD plain.txt /plain.txt\n", "plain.txt": "p"})
	os.WriteFile(filepath.Join(dir, "pkg.tar.gz"), buf.Bytes(), 0o644)
	_, out, err := env.build(t, nil, Options{ContextDir: dir, Tags: []string{"bt-add"}})
	if err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	_, l := env.imageFS(t, "bt-add")
	if fileIn(t, l, "opt/pkg/data.txt") != "data" || fileIn(t, l, "plain.txt") != "p" {
		t.Errorf("ADD did not extract the archive or copy the file")
	}
	_, _, err = env.build(t, map[string]string{"Dockerfile": "FROM scratch\nADD https://example.com/x /x\n"}, Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "Dockerfile:2: ADD https://example.com/x: remote sources are") {
		t.Errorf("ADD of a URL = %v, want a Dockerfile:2 error", err)
	}
}
