package engine

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	if root := os.Getenv("BT_RT_STARTER_ROOT"); root != "" {
		// A starter that exits right after Start, like a killed supervisor.
		if r := os.Getenv("BT_RT_STARTER_CGROUP_ROOT"); r != "" {
			cgroupRoot = r
		}
		e := &Engine{Root: root, CgroupParent: os.Getenv("BT_RT_STARTER_CGROUP")}
		if err := e.Start(os.Getenv("BT_RT_STARTER_ID")); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(1)
		}
		os.Exit(0)
	}
	// The main goroutine starts on the main thread: keep it there, so that no test
	// goroutine runs on it. The main thread never exits, so nothing may leave it in a
	// container's namespaces or root (internal/threads): checked after the tests.
	runtime.LockOSThread()
	before := mainThreadView()
	c := m.Run()
	if after := mainThreadView(); after != before {
		fmt.Fprintf(os.Stderr, "the main thread was left in another mount namespace or root: %s, was %s\n", after, before)
		c = 1
	}
	os.Exit(c)
}

// mainThreadView names the main thread's mount namespace and root.
func mainThreadView() string {
	mnt, _ := os.Readlink("/proc/self/ns/mnt")
	root, _ := os.Readlink("/proc/self/root")
	return mnt + " " + root
}

func randSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// busyboxLayer builds a layer dir from Debian's busybox-static.
func busyboxLayer(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"bin", "etc", "tmp", "root", "home/app"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skipf("skipping: busybox-static not installed: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/busybox"), bb, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"sh", "true", "false", "cat", "echo", "id", "ls", "sleep", "mount", "touch",
		"hostname", "pwd", "tty", "env", "grep", "head", "dd", "ps", "readlink", "test", "mkdir", "ulimit", "tr", "wc", "kill"} {
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n",
		"etc/group":  "root:x:0:\napp:x:1000:\nextra:x:2000:app\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// goLayer builds a layer holding one static Go binary, /hello.
func goLayer(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "hello"), "./testdata/hello")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// newEngine returns an engine with a temp root and a bt-rt-<random> cgroup parent, and
// checks at cleanup that no cgroup, container process or state of its own is left.
func newEngine(t testing.TB) *Engine {
	t.Helper()
	if shimBinary == "" {
		t.Skip("skipping: built without the container shim (make shim, then go test -tags berth_shim)")
	}
	e := &Engine{Root: t.TempDir(), CgroupParent: "bt-rt-" + randSuffix()}
	t.Cleanup(func() {
		states, _ := e.List()
		for _, st := range states {
			if err := e.Remove(st.ID, true); err != nil {
				t.Errorf("cleanup Remove(%q) = %v", st.ID, err)
			}
		}
		for _, d := range cgroupDirs(e.CgroupParent, "") {
			ents, _ := os.ReadDir(d)
			for _, ent := range ents {
				if ent.IsDir() {
					t.Errorf("leaked cgroup %s/%s", d, ent.Name())
				}
			}
		}
		if err := RemoveCgroupParent(e.CgroupParent); err != nil {
			t.Errorf("RemoveCgroupParent: %v", err)
		}
		if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), e.Root) {
			t.Errorf("leaked mount under %s", e.Root)
		}
	})
	return e
}

// run creates, starts, waits for and removes a container, returning its log and status.
// startContainer creates and starts spec (removed when the test ends).
func startContainer(t testing.TB, e *Engine, spec Spec) {
	t.Helper()
	if err := e.Create(spec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { e.Remove(spec.ID, true) })
	if err := e.Start(spec.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
}

func run(t *testing.T, e *Engine, spec Spec) (string, ExitStatus) {
	t.Helper()
	if spec.ID == "" {
		spec.ID = "c" + randSuffix()
	}
	startContainer(t, e, spec)
	es, err := e.Wait(spec.ID)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	var out strings.Builder
	if err := e.Logs(spec.ID, LogOptions{}, func(le LogEntry) error { out.WriteString(le.Log); return nil }); err != nil {
		t.Fatalf("Logs: %v", err)
	}
	if err := e.Remove(spec.ID, false); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	return out.String(), es
}
