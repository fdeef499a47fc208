package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/internal/testenv"
)

// e2e runs the berth binary (built static, as exec needs) against one temporary root.
type e2e struct {
	t       *testing.T
	bin     string
	env     []string
	root    string
	run     string
	project string
	prefix  string
	table   string
	cgroup  string
}

var (
	buildOnce sync.Once
	builtDir  string // holds builtBin; removed after the tests (TestMain)
	builtBin  string
	buildErr  error
)

// TestMain removes the berth binary the e2e tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

func berthBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bte-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtDir = dir
		if out, err := buildShim(); err != nil {
			buildErr, builtBin = err, string(out)
			return
		}
		builtBin = filepath.Join(dir, "berth")
		cmd := exec.Command("go", "build", "-tags", shimTag, "-o", builtBin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			builtBin = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build berth: %v\n%s", buildErr, builtBin)
	}
	return builtBin
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	testenv.RequiresRoot(t)
	suffix := randHex(3)
	e := &e2e{t: t, bin: berthBinary(t), root: t.TempDir(), run: t.TempDir(),
		project: "bte" + randHex(8), prefix: "bte" + suffix, table: "bte" + randHex(8), cgroup: "bte-" + randHex(8)}
	e.env = append(os.Environ(), "BERTH_ROOT="+e.root, "BERTH_RUNTIME_DIR="+e.run,
		"BERTH_ADDRESS_POOLS="+randomPools(240), "BERTH_NFT_TABLE="+e.table, "BERTH_NAME_PREFIX="+e.prefix,
		"BERTH_CGROUP_PARENT="+e.cgroup, "BERTH_DNS_UPSTREAMS=127.0.0.1:1")
	e.importBusybox()
	t.Cleanup(func() {
		e.berth("down", "-v", "-t", "1") // no-op when the test already went down
		e.assertNoLeaks()
		for _, d := range cgroupDirs(e.cgroup) {
			if err := os.Remove(d); err != nil {
				e.t.Errorf("remove parent cgroup: %v", err)
			}
		}
	})
	return e
}

// randomPools is 64 /24 pools of 10.<second>.0.0/16 from a random start: tests (and e2e
// runs of several worktrees) side by side take different subnets instead of all
// wanting the same one.
func randomPools(second int) string {
	var pools []string
	for i, start := 0, mathrand.IntN(256); i < 64; i++ {
		pools = append(pools, fmt.Sprintf("10.%d.%d.0/24", second, (start+i)%256))
	}
	return strings.Join(pools, ",")
}

// importBusybox stores Debian's busybox-static as the one-layer image bte-busybox.
func (e *e2e) importBusybox() {
	e.t.Helper()
	importBusybox(e.t, e.root)
}

// importBusybox stores busybox as bte-busybox in the image store of root (benchmarks
// call it too).
func importBusybox(t testing.TB, root string) {
	t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skipf("skipping: busybox-static not installed: %v", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"bin/", "etc/", "tmp/", "data/"} {
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o1777})
	}
	tw.WriteHeader(&tar.Header{Name: "bin/busybox", Mode: 0o755, Size: int64(len(bb))})
	tw.Write(bb)
	for _, a := range []string{"sh", "httpd", "wget", "cat", "echo", "sleep", "nslookup", "true", "false"} {
		tw.WriteHeader(&tar.Header{Name: "bin/" + a, Typeflag: tar.TypeSymlink, Linkname: "busybox"})
	}
	passwd := "root:x:0:0:root:/root:/bin/sh\n"
	tw.WriteHeader(&tar.Header{Name: "etc/passwd", Mode: 0o644, Size: int64(len(passwd))})
	tw.Write([]byte(passwd))
	tw.Close()
	store, err := image.Open(filepath.Join(root, "images"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Import(context.Background(), &buf, "bte-busybox:latest", []string{`ENV PATH=/bin`, `CMD ["sh"]`}); err != nil {
		t.Fatalf("Import busybox: %v", err)
	}
}

// command is the berth binary with -p project and args, in this test's environment.
func (e *e2e) command(args ...string) *exec.Cmd {
	cmd := exec.Command(e.bin, append([]string{"-p", e.project}, args...)...)
	cmd.Env = e.env
	return cmd
}

// berth runs the binary in dir with -p project and returns stdout, stderr and the error.
func (e *e2e) berth(args ...string) (string, string, error) {
	cmd := e.command(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

func (e *e2e) mustBerth(args ...string) string {
	e.t.Helper()
	out, errs, err := e.berth(args...)
	if err != nil {
		e.t.Fatalf("berth %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errs)
	}
	return out
}

// withPools gives e address pools of its own, so that its tests can run beside other
// e2e runs on the same host (the last BERTH_ADDRESS_POOLS value wins).
func (e *e2e) withPools(pools ...string) *e2e {
	e.env = append(e.env, "BERTH_ADDRESS_POOLS="+strings.Join(pools, ","))
	return e
}

// exitCode is the exit status of a berth run (0 without error, -1 if it did not exit).
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// eventually polls cond every 50ms until it holds or d passes.
func eventually(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// psList decodes `ps -a --no-trunc --format json [SERVICE...]` of the project in file, one map
// per container.
func (e *e2e) psList(file string, services ...string) []map[string]any {
	e.t.Helper()
	var list []map[string]any
	args := append([]string{"-f", file, "ps", "-a", "--no-trunc", "--format", "json"}, services...)
	dec := json.NewDecoder(strings.NewReader(e.mustBerth(args...)))
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			e.t.Fatalf("ps --format json: %v", err)
		}
		list = append(list, m)
	}
	return list
}

// cgroupDirs are the parent cgroup dirs named name that exist: under the cgroup v2 root
// and in every v1 hierarchy (this host has both).
func cgroupDirs(name string) []string {
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", name))
	if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", name, "cgroup.procs")); err == nil {
		dirs = append(dirs, filepath.Join("/sys/fs/cgroup", name))
	}
	return dirs
}

// assertNoLeaks fails when any kernel object or state of this test is left.
func (e *e2e) assertNoLeaks() {
	e.t.Helper()
	// The kernel frees a deleted netns, and the veths in it, asynchronously.
	var leaked []string
	eventually(3*time.Second, func() bool { leaked = e.links(); return len(leaked) == 0 })
	for _, l := range leaked {
		e.t.Errorf("leaked link: %s", l)
	}
	tables, _ := exec.Command("nft", "list", "tables").Output()
	if strings.Contains(string(tables), e.table) {
		e.t.Errorf("leaked nft table %s", e.table)
	}
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	for _, l := range strings.Split(string(mounts), "\n") {
		if strings.Contains(l, e.run) || strings.Contains(l, e.root) {
			e.t.Errorf("leaked mount: %s", l)
		}
	}
	for _, d := range cgroupDirs(e.cgroup) { // the parent itself may stay, as Docker's
		if ents, _ := os.ReadDir(d); countDirs(ents) > 0 {
			e.t.Errorf("leaked cgroups under %s", d)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(e.run, "netns")); len(ents) > 0 {
		e.t.Errorf("leaked netns files: %d", len(ents))
	}
	if _, err := os.Stat(filepath.Join(e.root, "projects", e.project)); err == nil {
		e.t.Errorf("leaked project state dir")
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("_supervise\x00"+e.project)) {
			e.t.Errorf("leaked supervisor %s", p)
		}
	}
}

// links lists the network interfaces whose name has this test's prefix.
func (e *e2e) links() []string {
	out, _ := exec.Command("ip", "-o", "link", "show").Output()
	var mine []string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 1 && strings.HasPrefix(f[1], e.prefix) {
			mine = append(mine, l)
		}
	}
	return mine
}

func countDirs(ents []os.DirEntry) int {
	n := 0
	for _, e := range ents {
		if e.IsDir() {
			n++
		}
	}
	return n
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func TestE2EWebStack(t *testing.T) {
	e := newE2E(t)
	port := freePort(t)
	e.env = append(e.env, "WEB_PORT="+port)
	file := filepath.Join("..", "..", "testdata", "e2e", "web", "compose.yaml")
	e.mustBerth("-f", file, "up", "-d")
	if got := e.httpGet("http://127.0.0.1:" + port + "/index.html"); got != "hello\n" {
		t.Errorf("GET published port = %q, want %q", got, "hello\n")
	}
	e.waitLog(file, "client-1  | got hello")
	list := e.psList(file)
	if len(list) != 3 {
		t.Errorf("ps -a = %d containers, want 3: %v", len(list), list)
	}
	// As with Compose, up again keeps running containers and runs the exited one-shot again.
	before := e.mustBerth("-f", file, "ps", "-q", "web", "client")
	if out := e.mustBerth("-f", file, "up", "-d"); out != "" {
		t.Errorf("second up printed %q on stdout", out)
	}
	if after := e.mustBerth("-f", file, "ps", "-q", "web", "client"); after != before || strings.Count(after, "\n") != 2 {
		t.Errorf("ps -q after second up = %q, want the unchanged containers %q", after, before)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
	vol := filepath.Join(e.root, "volumes", e.project+"_data", "_data", "index.html")
	if b, err := os.ReadFile(vol); err != nil || string(b) != "hello\nhello\n" {
		t.Errorf("volume after down = %q, %v; want kept", b, err)
	}
	e.mustBerth("-f", file, "up", "-d")
	if got := e.httpGet("http://127.0.0.1:" + port + "/index.html"); got != "hello\nhello\nhello\n" {
		t.Errorf("GET after second up = %q, want the volume's earlier content plus one line", got)
	}
	e.mustBerth("-f", file, "down", "-v", "-t", "1")
	if _, err := os.Stat(filepath.Dir(filepath.Dir(vol))); err == nil {
		t.Errorf("volume dir left after down -v")
	}
	e.assertNoLeaks()
}

// httpGet fetches url, retrying for a few seconds while nothing answers: a container
// reported started may not be listening yet.
func (e *e2e) httpGet(url string) string {
	e.t.Helper()
	resp, err := http.Get(url)
	for deadline := time.Now().Add(5 * time.Second); err != nil && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		resp, err = http.Get(url)
	}
	if err != nil {
		e.t.Errorf("GET %s: %v", url, err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (e *e2e) waitLog(file, want string) {
	e.t.Helper()
	var out string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if out = e.mustBerth("-f", file, "logs"); strings.Contains(out, want) {
			return
		}
	}
	e.t.Errorf("logs = %q, want a line %q", out, want)
}

func TestE2EFailingDependency(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	os.WriteFile(file, []byte(`services:
  migrate:
    image: bte-busybox
    command: ["sh", "-c", "echo boom; exit 3"]
  app:
    image: bte-busybox
    command: ["sleep", "60"]
    depends_on:
      migrate:
        condition: service_completed_successfully
`), 0o644)
	_, errs, err := e.berth("-f", file, "up", "-d")
	if err == nil || !strings.Contains(errs, `didn't complete successfully: exit 3`) || !strings.Contains(errs, "boom") {
		t.Errorf("up = %v, stderr %q; want the dependency's exit code and logs", err, errs)
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func writeCompose(t *testing.T, content string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestE2EHealthyAndSupervisorAdoption(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  db:
    image: bte-busybox
    command: ["sh", "-c", "sleep 0.3; echo ok > /tmp/ready; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "cat", "/tmp/ready"], interval: 100ms, retries: 50}
  app:
    image: bte-busybox
    command: ["sh", "-c", "nslookup db > /tmp/ns && echo resolved; exec sleep 3600"]
    stop_signal: SIGKILL
    depends_on:
      db: {condition: service_healthy}
`)
	e.mustBerth("-f", file, "up", "-d")
	if out := e.mustBerth("-f", file, "ps", "db"); !strings.Contains(out, "(healthy)") {
		t.Errorf("ps db = %q, want (healthy)", out)
	}
	pidFile := filepath.Join(e.run, "projects", e.project, "supervisor.pid")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("supervisor pid: %v", err)
	}
	if err := exec.Command("kill", "-9", strings.TrimSpace(string(b))).Run(); err != nil {
		t.Fatalf("kill -9 supervisor: %v", err)
	}
	before := e.mustBerth("-f", file, "ps", "-q")
	// A new supervisor adopts the running containers: the new replica resolves db.
	e.mustBerth("-f", file, "up", "-d", "--scale", "app=2")
	after := e.mustBerth("-f", file, "ps", "-q")
	for _, id := range strings.Fields(before) {
		if !strings.Contains(after, id) {
			t.Errorf("container %s was not kept across the supervisor's restart", id)
		}
	}
	var out string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if out = e.mustBerth("-f", file, "logs", "app"); strings.Count(out, "resolved") == 2 {
			break
		}
	}
	if strings.Count(out, "resolved") != 2 {
		t.Errorf("logs app = %q, want both replicas to resolve db", out)
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func TestE2EPortConflictCreatesNothing(t *testing.T) {
	e := newE2E(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sleep", "60"]
    ports: ["`+port+`:80"]
`)
	_, errs, err := e.berth("-f", file, "up", "-d")
	if err == nil || !strings.Contains(errs, "host port tcp/"+port+" is already in use by process ") || !strings.Contains(errs, "(pid ") {
		t.Errorf("up with a taken port = %v, stderr %q; want the port and its holder", err, errs)
	}
	if ents, _ := os.ReadDir(filepath.Join(e.root, "projects")); len(ents) != 0 {
		t.Errorf("up with a taken port left %d project dirs", len(ents))
	}
	e.assertNoLeaks()
}

// Two checkouts whose projects get the same name are told apart: the second up fails,
// naming the first one's directory, and changes nothing.
func TestE2EProjectNameClash(t *testing.T) {
	e := newE2E(t)
	compose := `services:
  app:
    image: bte-busybox
    command: ["sleep", "60"]
    stop_signal: SIGKILL
`
	first := writeCompose(t, compose)
	second := writeCompose(t, compose)
	e.mustBerth("-f", first, "up", "-d")
	before := e.mustBerth("-f", first, "ps", "-q")
	_, errs, err := e.berth("-f", second, "up", "-d")
	if err == nil || !strings.Contains(errs, "is already used by "+filepath.Dir(first)) {
		t.Errorf("up of a second checkout = %v, stderr %q; want the first one's directory named", err, errs)
	}
	if after := e.mustBerth("-f", first, "ps", "-q"); after != before {
		t.Errorf("ps after the refused up = %q, want %q unchanged", after, before)
	}
	e.mustBerth("-f", first, "down")
	e.assertNoLeaks()
}
