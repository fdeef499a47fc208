package builder

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunMounts: RUN --mount of each type works as in BuildKit: a cache persists
// between builds, a secret is readable (0400) but in no layer, a bind shows the
// context or a stage (an rw bind's writes are discarded), a tmpfs is empty and gone;
// no mountpoint the engine made lands in the image.
func TestRunMounts(t *testing.T) {
	env := newTestEnv(t)
	secret := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(secret, []byte("s3cr3t-value"), 0o644); err != nil {
		t.Fatal(err)
	}
	df := `FROM bt-busybox AS deps
RUN mkdir -p /out && echo staged > /out/d
FROM bt-busybox
RUN --mount=type=cache,target=/cache,sharing=locked sh -c 'echo one >> /cache/log; cat /cache/log > /count'
RUN --mount=type=secret,id=tok,required sh -c 'cat /run/secrets/tok > /dev/null && stat -c "%a %s" /run/secrets/tok > /secmode'
RUN --mount=type=bind,source=sub,target=/ctx cat /ctx/f > /fromctx
RUN --mount=type=bind,from=deps,source=/out,target=/d,rw sh -c 'cat /d/d > /fromstage; echo x > /d/new'
RUN --mount=type=tmpfs,target=/scratch sh -c 'echo t > /scratch/t && cat /scratch/t > /fromtmpfs'
RUN --mount=type=secret,id=tok,env=TOK sh -c 'echo ${#TOK} > /envsecret; test -e /run/secrets/tok || echo nofile >> /envsecret'
`
	files := map[string]string{"Dockerfile": df, "sub/f": "context file\n"}
	opts := Options{Tags: []string{"bt-mounts"}, Secrets: map[string]string{"tok": secret}}
	if _, out, err := env.build(t, files, opts); err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	_, l := env.imageFS(t, "bt-mounts")
	for file, want := range map[string]string{"count": "one\n", "secmode": "400 12\n", "fromctx": "context file\n",
		"fromstage": "staged\n", "fromtmpfs": "t\n", "envsecret": "12\nnofile\n"} {
		if got := fileIn(t, l, file); got != want {
			t.Errorf("/%s = %q, want %q", file, got, want)
		}
	}
	for _, p := range []string{"cache", "run", "ctx", "d", "scratch"} {
		if _, err := l.lstat(p); err == nil {
			t.Errorf("/%s is in the image; mountpoints must not be", p)
		}
	}
	img, err := env.store.Get("bt-mounts")
	if err != nil {
		t.Fatal(err)
	}
	images := filepath.Dir(filepath.Dir(env.store.LayerDir(img.Config.RootFS.DiffIDs[0])))
	filepath.WalkDir(images, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("s3cr3t-value")) {
				t.Errorf("the secret is stored in %s", p)
			}
			if strings.HasSuffix(p, "/out/new") {
				t.Errorf("a write to an rw bind reached its stage: %s", p)
			}
		}
		return nil
	})

	// The cache persists: another RUN with the same cache id sees the first's file.
	df2 := "FROM bt-busybox\nRUN --mount=type=cache,target=/cache sh -c 'echo two >> /cache/log; cat /cache/log > /count'\n"
	if _, out, err := env.build(t, map[string]string{"Dockerfile": df2}, Options{Tags: []string{"bt-mounts2"}}); err != nil {
		t.Fatalf("Build 2 = %v\n%s", err, out)
	}
	if _, l := env.imageFS(t, "bt-mounts2"); fileIn(t, l, "count") != "one\ntwo\n" {
		t.Errorf("/count after the second build = %q, want one two", fileIn(t, l, "count"))
	}
	// A required secret the build lacks fails; an optional one is skipped.
	df3 := "FROM bt-busybox\nRUN --mount=type=secret,id=nope,required true\n"
	if _, _, err := env.build(t, map[string]string{"Dockerfile": df3}, Options{}); err == nil || !strings.Contains(err.Error(), `secret "nope"`) {
		t.Errorf("Build with a missing required secret = %v, want an error naming it", err)
	}
	df4 := "FROM bt-busybox\nRUN --mount=type=secret,id=nope test ! -e /run/secrets/nope\n"
	if _, out, err := env.build(t, map[string]string{"Dockerfile": df4}, Options{}); err != nil {
		t.Errorf("Build with a missing optional secret = %v\n%s", err, out)
	}
}
