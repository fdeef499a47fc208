package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// threeSleepers is a project of three independent services.
const threeSleepers = `services:
  a: {image: bte-busybox, command: ["sleep", "3600"], stop_signal: SIGKILL}
  b: {image: bte-busybox, command: ["sleep", "3600"], stop_signal: SIGKILL}
  c: {image: bte-busybox, command: ["sleep", "3600"], stop_signal: SIGKILL}
`

// running are the names of the project's running containers.
func (e *e2e) running(file string) []string {
	var names []string
	for _, c := range e.psList(file) {
		if c["State"] == "running" {
			names = append(names, c["Name"].(string))
		}
	}
	return names
}

func TestE2EGlobalDryRun(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, threeSleepers)
	e.mustBerth("-f", file, "up", "-d")
	want := []string{e.ctr("a"), e.ctr("b"), e.ctr("c")}

	_, errs, err := e.berth("-f", file, "--dry-run", "stop", "a")
	if err != nil || errs != " DRY-RUN MODE - Container "+e.ctr("a")+"  Stopping\n DRY-RUN MODE - Container "+e.ctr("a")+"  Stopped\n" {
		t.Errorf("--dry-run stop a = %v, stderr %q; want a's Stopping and Stopped with the dry-run prefix", err, errs)
	}
	// the flag after the command, as Compose's (a persistent flag)
	_, errs, err = e.berth("-f", file, "down", "--dry-run", "-v")
	for _, line := range []string{"Container " + e.ctr("c") + "  Removed", "Network " + e.project + "_default  Removed"} {
		if err != nil || !strings.Contains(errs, " DRY-RUN MODE - "+line+"\n") {
			t.Errorf("down --dry-run = %v, stderr %q; want %q", err, errs, line)
		}
	}
	_, errs, _ = e.berth("-f", file, "--dry-run", "rm", "-f")
	if errs != "" {
		t.Errorf("--dry-run rm -f of running containers printed %q, want nothing (rm removes stopped ones)", errs)
	}
	_, errs, _ = e.berth("-f", file, "--dry-run", "kill")
	if strings.Count(errs, "DRY-RUN MODE - Container ") != 6 {
		t.Errorf("--dry-run kill printed %q, want Killing and Killed of 3 containers", errs)
	}
	if got := e.running(file); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after the dry runs, running = %v, want %v: a dry run changed something", got, want)
	}
	// a command that cannot show what it would do refuses instead of doing it
	_, errs, err = e.berth("--dry-run", "volume", "prune", "-f")
	if exitCode(err) != 1 || !strings.Contains(errs, "volume prune: --dry-run is not supported") {
		t.Errorf("--dry-run volume prune = %v, stderr %q; want exit 1, not supported", err, errs)
	}
	// pull names what it would pull, and asks no registry (this one is not there)
	pullFile := writeCompose(t, "services:\n  remote: {image: \"127.0.0.1:1/bte-none:1\"}\n")
	_, errs, err = e.berth("-f", pullFile, "--dry-run", "pull")
	if err != nil || errs != " DRY-RUN MODE - Image 127.0.0.1:1/bte-none:1  Pulling\n DRY-RUN MODE - Image 127.0.0.1:1/bte-none:1  Pulled\n" {
		t.Errorf("--dry-run pull = %v, stderr %q; want Pulling and Pulled, no pull", err, errs)
	}
	// cp names the copies, copies nothing
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, err = e.berth("-f", file, "--dry-run", "cp", in, "a:/tmp/in.txt")
	if err != nil || errs != " DRY-RUN MODE - Container "+e.ctr("a")+"  Copying "+in+" to "+e.ctr("a")+":/tmp/in.txt\n"+
		" DRY-RUN MODE - Container "+e.ctr("a")+"  Copied "+in+" to "+e.ctr("a")+":/tmp/in.txt\n" {
		t.Errorf("--dry-run cp = %v, stderr %q", err, errs)
	}
	if _, _, err := e.berth("-f", file, "exec", "a", "cat", "/tmp/in.txt"); err == nil {
		t.Errorf("--dry-run cp copied the file")
	}
	e.mustBerth("-f", file, "down")
	if _, errs, err = e.berth("-f", file, "--dry-run", "down"); err != nil || errs != "" {
		t.Errorf("--dry-run down of a project not up = %v, stderr %q; want nothing", err, errs)
	}
}

// jsonProgress decodes --progress json lines, failing on any other line.
func jsonProgress(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("--progress json line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestE2EProgressModes(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, threeSleepers)
	_, errs, err := e.berth("-f", file, "--progress", "json", "up", "-d")
	if err != nil {
		t.Fatalf("--progress json up -d: %v\n%s", err, errs)
	}
	events := jsonProgress(t, errs)
	seen := map[string]bool{}
	for _, m := range events {
		for k := range m {
			if k != "id" && k != "status" && k != "text" && k != "details" && k != "dry-run" {
				t.Errorf("--progress json: key %q is not one of Compose's", k)
			}
		}
		seen[m["id"].(string)+" "+m["status"].(string)+" "+m["text"].(string)] = true
	}
	for _, want := range []string{"Container " + e.ctr("a") + " Working Creating", "Container " + e.ctr("a") + " Done Started",
		"Network " + e.project + "_default Done Created"} {
		if !seen[want] {
			t.Errorf("--progress json up lacks %q: %q", want, errs)
		}
	}
	// COMPOSE_PROGRESS is the default; quiet prints no progress
	if _, errs, err = e.berthEnv([]string{"COMPOSE_PROGRESS=quiet"}, "-f", file, "stop"); err != nil || errs != "" {
		t.Errorf("COMPOSE_PROGRESS=quiet stop = %v, stderr %q; want silence", err, errs)
	}
	// --progress tty off a terminal: Compose's block, redrawn with escapes, colors
	// with --ansi always
	_, errs, err = e.berth("-f", file, "--progress", "tty", "--ansi", "always", "start")
	if err != nil || !strings.Contains(errs, "[+] start 3/3") || !strings.Contains(errs, "\x1b[2K") ||
		!strings.Contains(errs, "\x1b[32m✔\x1b[0m Container "+e.ctr("c")+"  \x1b[32mStarted") {
		t.Errorf("--progress tty start = %v, stderr %q; want the [+] block with ✔ rows", err, errs)
	}
	_, errs, err = e.berthEnv([]string{"COMPOSE_ANSI=never"}, "-f", file, "--progress", "tty", "ps")
	if exitCode(err) != 1 || !strings.Contains(errs, "can't use --progress tty while ANSI support is disabled") {
		t.Errorf("COMPOSE_ANSI=never --progress tty = %v, stderr %q; want Compose's error", err, errs)
	}
	// auto on a terminal (script(1) gives berth a pty): the live block, colored
	e.mustBerth("-f", file, "stop")
	term := exec.Command("script", "-qec", strings.Join([]string{e.bin, "-p", e.project, "-f", file, "start"}, " "), "/dev/null")
	term.Env = e.env
	if out, err := term.CombinedOutput(); err != nil || !strings.Contains(string(out), "[+] start 3/3") ||
		!strings.Contains(string(out), "\x1b[32m✔\x1b[0m Container "+e.ctr("a")) {
		t.Errorf("start on a terminal = %v, output %q; want the [+] block", err, out)
	}
	// COMPOSE_STATUS_STDOUT: notices (not progress) on stdout
	e.mustBerth("-f", file, "stop")
	out, errs, err := e.berthEnv([]string{"COMPOSE_STATUS_STDOUT=1"}, "-f", file, "kill")
	if err != nil || !strings.Contains(out, "no container to kill") || strings.Contains(errs, "no container to kill") {
		t.Errorf("COMPOSE_STATUS_STDOUT=1 kill = %v, stdout %q, stderr %q; want the notice on stdout", err, out, errs)
	}
}

// serial reports whether each container's progress lines of up (Creating to Started)
// come together, none of another container's between them.
func serial(stderr string) bool {
	current := ""
	for _, l := range strings.Split(stderr, "\n") {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "Container" {
			continue
		}
		switch {
		case f[2] == "Creating" && current != "":
			return false
		case f[2] == "Creating":
			current = f[1]
		case f[1] != current:
			return false
		case f[2] == "Started":
			current = ""
		}
	}
	return true
}

func TestE2EParallelLimit(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, threeSleepers)
	_, errs, err := e.berth("-f", file, "--parallel", "1", "up", "-d")
	if err != nil || !serial(errs) || strings.Count(errs, "  Started") != 3 {
		t.Errorf("--parallel 1 up -d = %v, stderr:\n%s\nwant one container at a time", err, errs)
	}
	e.mustBerth("-f", file, "down")
	_, errs, err = e.berthEnv([]string{"COMPOSE_PARALLEL_LIMIT=1"}, "-f", file, "up", "-d")
	if err != nil || !serial(errs) {
		t.Errorf("COMPOSE_PARALLEL_LIMIT=1 up -d = %v, stderr:\n%s\nwant one container at a time", err, errs)
	}
	if _, errs, err = e.berthEnv([]string{"COMPOSE_PARALLEL_LIMIT=lots"}, "-f", file, "ps"); exitCode(err) != 1 ||
		!strings.Contains(errs, `COMPOSE_PARALLEL_LIMIT must be an integer (found: "lots")`) {
		t.Errorf("COMPOSE_PARALLEL_LIMIT=lots = %v, stderr %q", err, errs)
	}
}

func TestE2EUpQuietBuild(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM bte-busybox\nRUN echo built > /built\nCMD [\"sleep\", \"3600\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := writeComposeIn(t, dir, "services:\n  app: {build: ., stop_signal: SIGKILL}\n")
	_, errs, err := e.berth("-f", file, "--dry-run", "build")
	img := e.project + "-app"
	if err != nil || errs != " DRY-RUN MODE - Image "+img+"  Building\n DRY-RUN MODE - Image "+img+"  Built\n" {
		t.Errorf("--dry-run build = %v, stderr %q", err, errs)
	}
	if out := e.mustBerth("image", "ls"); strings.Contains(out, img) {
		t.Errorf("--dry-run build built %s: %q", img, out)
	}
	_, errs, err = e.berth("-f", file, "up", "-d", "--quiet-build", "--quiet-pull", "-y")
	if err != nil || strings.Contains(errs, "RUN echo") || !strings.Contains(errs, " Image "+e.project+"-app  Built\n") {
		t.Errorf("up --quiet-build = %v, stderr:\n%s\nwant Building and Built, no builder output", err, errs)
	}
	_, errs, err = e.berth("-f", file, "up", "-d", "--build", "--force-recreate")
	if err != nil || !strings.Contains(errs, "RUN echo") {
		t.Errorf("up --build = %v, stderr:\n%s\nwant the builder's output (the check above can fail)", err, errs)
	}
}

// TestE2ECopyAll: cp into a service copies into every replica, as Compose's, and with
// --all into its one-off (run) containers too; each copy has its Copying and Copied
// lines.
func TestE2ECopyAll(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  app: {image: bte-busybox, command: ["sleep", "3600"], stop_signal: SIGKILL, scale: 2}
`)
	e.mustBerth("-f", file, "up", "-d")
	// the one-off ends once the file is there
	e.mustBerth("-f", file, "run", "-d", "app", "sh", "-c", "while [ ! -f /tmp/all.txt ]; do sleep 0.1; done")
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("copied\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, err := e.berth("-f", file, "cp", in, "app:/tmp/all.txt")
	if err != nil || strings.Count(errs, "  Copied "+in+" to ") != 2 {
		t.Errorf("cp into app = %v, stderr %q; want two Copied lines", err, errs)
	}
	for _, i := range []string{"1", "2"} {
		if got, _, _ := e.berth("-f", file, "exec", "--index", i, "app", "cat", "/tmp/all.txt"); got != "copied\n" {
			t.Errorf("replica %s has %q, want the copy", i, got)
		}
	}
	oneoffState := func() string {
		for _, c := range e.psList(file) {
			if c["Name"] != e.ctr("app") && c["Name"] != e.project+"-app-2" {
				return c["State"].(string)
			}
		}
		return ""
	}
	if state := oneoffState(); state != "running" {
		t.Errorf("one-off after cp without --all is %q, want running (untouched)", state)
	}
	_, errs, err = e.berth("-f", file, "cp", "--all", in, "app:/tmp/all.txt")
	if err != nil || strings.Count(errs, "  Copied ") != 3 {
		t.Errorf("cp --all = %v, stderr %q; want three Copied lines", err, errs)
	}
	if !eventually(5*time.Second, func() bool { return oneoffState() == "exited" }) {
		t.Errorf("one-off after cp --all is %q, want exited (it saw the copy)", oneoffState())
	}
}

// TestE2EPsJSONShape: ps --format json has Compose's keys, with the container's
// networks and mounts (volumes by name, binds by path, berth's own files left out).
func TestE2EPsJSONShape(t *testing.T) {
	e := newE2E(t)
	bind := t.TempDir()
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    volumes: ["data:/data", "`+bind+`:/bind"]
volumes:
  data: {}
`)
	e.mustBerth("-f", file, "up", "-d")
	var m map[string]any
	out := e.mustBerth("-f", file, "ps", "--format", "json")
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("ps --format json = %q: %v", out, err)
	}
	want := map[string]any{"Name": e.ctr("app"), "Networks": e.project + "_default", "LocalVolumes": "1",
		"Command": `"sleep 3600"`, "State": "running", "Size": "0B"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("ps --format json %s = %v, want %v (%s)", k, m[k], v, out)
		}
	}
	if id, _ := m["ID"].(string); len(id) != 12 {
		t.Errorf("ps --format json ID = %q, want 12 characters as Compose's", id)
	}
	out = e.mustBerth("-f", file, "ps", "--no-trunc", "--format", "{{.Mounts}}")
	if out != e.project+"_data,"+bind+"\n" {
		t.Errorf("ps --format {{.Mounts}} = %q, want the volume's name and the bind's path", out)
	}
}
