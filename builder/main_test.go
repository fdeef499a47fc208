package builder

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/internal/testenv"
)

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

// testEnv is an image store and an engine under one temporary BERTH root, with a
// cgroup parent of its own; cleanup removes every container, cgroup and mount.
type testEnv struct {
	store  *image.Store
	engine *engine.Engine
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	testenv.RequiresRoot(t)
	root := t.TempDir()
	store, err := image.Open(filepath.Join(root, "images"))
	if err != nil {
		t.Fatal(err)
	}
	e := &engine.Engine{Root: root, CgroupParent: "bt-build-" + randomHex(4)}
	t.Cleanup(func() {
		states, _ := e.List()
		for _, st := range states {
			t.Errorf("leaked container %s", st.ID)
			e.Remove(st.ID, true)
		}
		if err := engine.RemoveCgroupParent(e.CgroupParent); err != nil {
			t.Errorf("RemoveCgroupParent: %v", err)
		}
		if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), root) {
			t.Errorf("leaked mount under %s", root)
		}
	})
	env := &testEnv{store: store, engine: e}
	env.importBusybox(t)
	return env
}

// importBusybox stores Debian's busybox-static as the one-layer image bt-busybox,
// with users root and app (1000) and group extra (2000).
func (env *testEnv) importBusybox(t *testing.T) {
	t.Helper()
	env.importBusyboxAs(t, "bt-busybox:latest", `ENV PATH=/bin`, `CMD ["sh"]`)
}

// importBusyboxAs imports the busybox rootfs as name, with the image config changes
// given (Dockerfile instructions, as `image import -c`).
func (env *testEnv) importBusyboxAs(t *testing.T, name string, changes ...string) {
	t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skipf("skipping: busybox-static not installed: %v", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"bin/", "etc/", "home/app/"} {
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755})
	}
	tw.WriteHeader(&tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777})
	tw.WriteHeader(&tar.Header{Name: "bin/busybox", Mode: 0o755, Size: int64(len(bb))})
	tw.Write(bb)
	for _, a := range []string{"sh", "cat", "echo", "id", "pwd", "rm", "ls", "mkdir", "touch", "true", "false", "stat", "test", "env", "ln"} {
		tw.WriteHeader(&tar.Header{Name: "bin/" + a, Typeflag: tar.TypeSymlink, Linkname: "busybox"})
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n",
		"etc/group":  "root:x:0:\napp:x:1000:\nextra:x:2000:app\n",
	}
	for name, content := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content))})
		tw.Write([]byte(content))
	}
	tw.Close()
	if _, err := env.store.Import(context.Background(), &buf, name, changes); err != nil {
		t.Fatalf("Import busybox as %s: %v", name, err)
	}
}

// build writes files into a new context dir and builds it.
func (env *testEnv) build(t *testing.T, files map[string]string, opts Options) (string, string, error) {
	t.Helper()
	if opts.ContextDir == "" {
		opts.ContextDir = writeContext(t, files)
	}
	var out bytes.Buffer
	opts.Progress = &out
	opts.Store = env.store
	if opts.Engine == nil {
		opts.Engine = env.engine
	}
	if opts.Pull == "" {
		opts.Pull = PullNever
	}
	id, err := Build(context.Background(), opts)
	return id, out.String(), err
}

func writeContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// imageFS returns the merged view of a stored image's layers.
func (env *testEnv) imageFS(t *testing.T, ref string) (*image.Image, layerFS) {
	t.Helper()
	img, err := env.store.Get(ref)
	if err != nil {
		t.Fatalf("Get(%q) = %v", ref, err)
	}
	dirs, err := env.store.LayerDirs(img)
	if err != nil {
		t.Fatalf("LayerDirs = %v", err)
	}
	return img, layerFS{dirs: dirs}
}

// fileIn reads a file of the image's merged filesystem.
func fileIn(t *testing.T, l layerFS, rel string) string {
	t.Helper()
	b, err := l.readFile(rel)
	if err != nil {
		t.Fatalf("read /%s in image: %v", rel, err)
	}
	return string(b)
}
