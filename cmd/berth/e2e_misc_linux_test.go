package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newMiscE2E is newE2E with an address pool of its own, so that these tests can run
// beside other e2e runs on the same host.
func newMiscE2E(t *testing.T) *e2e {
	return newE2E(t).withPools("10.246.0.0/16")
}

// writeProject writes files (path: content) into a new dir and returns the dir.
func writeProject(t *testing.T, files map[string]string) string {
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

func TestE2EImagesCreateStartDownRmi(t *testing.T) {
	e := newMiscE2E(t)
	dir := writeProject(t, map[string]string{
		"ep/Dockerfile":       "FROM bte-busybox\nENTRYPOINT [\"sleep\"]\nCMD [\"3600\"]\n",
		"scratchy/Dockerfile": "FROM scratch\nCOPY f /f\nCMD [\"/f\"]\n",
		"scratchy/f":          "data\n",
		"compose.yaml": `services:
  app:
    image: bte-busybox
    command: ["sh", "-c", "sleep 3600 # a long command line"]
    stop_signal: SIGKILL
  ep:
    build: ./ep
    stop_signal: SIGKILL
  scratchy:
    build: ./scratchy
`,
	})
	file := filepath.Join(dir, "compose.yaml")
	if _, errs, err := e.berth("-f", file, "build"); err != nil {
		t.Fatalf("berth build: %v\n%s", err, errs)
	}
	built, scratch := e.project+"-ep", e.project+"-scratchy"
	if ls := e.mustBerth("image", "ls"); !strings.Contains(ls, built) || !strings.Contains(ls, scratch) {
		t.Fatalf("image ls after build = %q, want %s and %s", ls, built, scratch)
	}
	e.mustBerth("-f", file, "create", "app", "ep")
	if ps := e.mustBerth("-f", file, "ps", "-a", "--format", "json"); strings.Count(ps, `"State":"created"`) != 2 {
		t.Errorf("ps -a after create = %s; want two created containers", ps)
	}
	table := e.mustBerth("-f", file, "images")
	for _, want := range []string{"CONTAINER", "IMAGE ID", e.project + "-app-1", "bte-busybox", built, "latest"} {
		if !strings.Contains(table, want) {
			t.Errorf("images = %q, want %q in it", table, want)
		}
	}
	ids := strings.Fields(e.mustBerth("-f", file, "images", "-q"))
	if len(ids) != 2 || len(ids[0]) != 64 || ids[0] == ids[1] {
		t.Errorf("images -q = %q, want two distinct image IDs", ids)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(e.mustBerth("-f", file, "images", "--format", "json")), &list); err != nil || len(list) != 2 {
		t.Errorf("images --format json = %v, %v; want two images", list, err)
	}
	e.mustBerth("-f", file, "start", "app", "ep")
	ps := e.mustBerth("-f", file, "ps")
	for _, want := range []string{`"sh -c sleep 3600 # …"`, `"sleep 3600"`, "Up "} {
		if !strings.Contains(ps, want) {
			t.Errorf("ps after start = %q, want %q in it", ps, want)
		}
	}
	if ps := e.mustBerth("-f", file, "ps", "--no-trunc", "app"); !strings.Contains(ps, `"sh -c sleep 3600 # a long command line"`) {
		t.Errorf("ps --no-trunc = %q, want the whole command", ps)
	}
	e.mustBerth("-f", file, "down", "--rmi", "local", "-t", "1")
	ls := e.mustBerth("image", "ls")
	if strings.Contains(ls, built) || strings.Contains(ls, scratch) || !strings.Contains(ls, "bte-busybox") {
		t.Errorf("image ls after down --rmi local = %q, want %s and %s gone, bte-busybox kept", ls, built, scratch)
	}
	e.assertNoLeaks()
}

func TestE2ECopy(t *testing.T) {
	e := newMiscE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    volumes: ["data:/data", "/anon"]
volumes:
  data: {}
`)
	e.mustBerth("-f", file, "up", "-d")
	host := t.TempDir()
	secret := filepath.Join(host, "secret")
	os.WriteFile(secret, []byte("host only\n"), 0o600)
	in := filepath.Join(host, "in.txt")
	os.WriteFile(in, []byte("to container\n"), 0o644)
	e.mustBerth("-f", file, "cp", in, "app:/tmp/in.txt")
	if got := e.mustBerth("-f", file, "exec", "app", "cat", "/tmp/in.txt"); got != "to container\n" {
		t.Errorf("cat of the copied file = %q", got)
	}
	out := filepath.Join(host, "out")
	e.mustBerth("-f", file, "cp", "app:/etc/passwd", out)
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "root:") {
		t.Errorf("copied /etc/passwd = %q, %v", b, err)
	}
	// A symlink to / in the container resolves inside the container's rootfs.
	e.mustBerth("-f", file, "exec", "app", "busybox", "ln", "-s", "/", "/tmp/esc")
	leak := filepath.Join(host, "leak")
	_, _, err := e.berth("-f", file, "cp", "app:/tmp/esc"+secret, leak)
	if b, rerr := os.ReadFile(leak); rerr == nil && strings.Contains(string(b), "host only") {
		t.Errorf("cp through a symlink to / read the host's %s (err %v)", secret, err)
	}
	if err == nil {
		t.Errorf("cp of a path only the host has = nil error, want one")
	}
	e.berth("-f", file, "cp", in, "app:/tmp/esc"+filepath.Join(host, "written"))
	if _, err := os.Stat(filepath.Join(host, "written")); err == nil {
		t.Errorf("cp into the container through a symlink to / wrote on the host")
	}
	// A stopped container: its writable layer and its named and anonymous volumes, both
	// ways, and still no way out through the symlink.
	e.mustBerth("-f", file, "cp", in, "app:/data/in.txt")
	e.mustBerth("-f", file, "cp", in, "app:/anon/in.txt")
	e.mustBerth("-f", file, "stop", "app")
	for _, p := range []string{"/tmp/in.txt", "/data/in.txt", "/anon/in.txt"} {
		got := filepath.Join(host, "stopped-"+filepath.Base(filepath.Dir(p)))
		e.mustBerth("-f", file, "cp", "app:"+p, got)
		if b, err := os.ReadFile(got); err != nil || string(b) != "to container\n" {
			t.Errorf("cp app:%s from the stopped container = %q, %v", p, b, err)
		}
	}
	e.mustBerth("-f", file, "cp", in, "app:/data/while-stopped.txt")
	if _, _, err := e.berth("-f", file, "cp", "app:/tmp/esc"+secret, leak); err == nil {
		t.Errorf("cp of a path only the host has, from the stopped container = nil error, want one")
	}
	e.mustBerth("-f", file, "start", "app")
	if got := e.mustBerth("-f", file, "exec", "app", "cat", "/data/while-stopped.txt"); got != "to container\n" {
		t.Errorf("file copied into the stopped container's volume = %q", got)
	}
	e.mustBerth("-f", file, "down", "-v", "-t", "1")
	e.assertNoLeaks()
}

func TestE2ECompletionBash(t *testing.T) {
	e := newMiscE2E(t)
	out := e.mustBerth("completion", "bash")
	for _, want := range []string{"bash completion", "berth", "complete "} {
		if !strings.Contains(out, want) {
			t.Errorf("completion bash lacks %q:\n%.300s", want, out)
		}
	}
	e.assertNoLeaks()
}

func TestE2ERunStdin(t *testing.T) {
	e := newMiscE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
`)
	for _, args := range [][]string{{"-T"}, {}} {
		cmdArgs := append(append([]string{"-f", file, "run", "--rm"}, args...), "app", "cat")
		out, errs, err := e.berthStdin("hi\n", cmdArgs...)
		if err != nil || out != "hi\n" {
			t.Errorf("echo hi | berth %v = %v, stdout %q, stderr %q; want hi", cmdArgs, err, out, errs)
		}
	}
	// -i=false: the container's stdin is /dev/null, cat ends at once.
	if out, errs, err := e.berthStdin("hi\n", "-f", file, "run", "--rm", "-i=false", "app", "cat"); err != nil || out != "" {
		t.Errorf("berth run -i=false app cat = %v, stdout %q, stderr %q; want nothing", err, out, errs)
	}
	name := strings.TrimSpace(e.mustBerth("-f", file, "run", "-d", "app"))
	if ps := e.mustBerth("-f", file, "ps", "-a"); !strings.Contains(ps, name) {
		t.Errorf("run -d: ps -a = %q, want %s", ps, name)
	}
	e.checkRunTTY(file)
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// checkRunTTY runs `run` under script(1): stdin is a terminal, so the container gets
// one with the user's window size and reads what the user types; -T gives none.
func (e *e2e) checkRunTTY(file string) {
	e.t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		e.t.Logf("skipping the TTY check: %v", err)
		return
	}
	for _, tt := range []struct{ flags, input, want string }{
		{"", "", "tty 40 100 /dev/pts/0"}, // the container's own devpts, as in Docker
		{"-T", "", "no tty"},
		{"", "typed\n", "got typed"},
	} {
		script := `[ -t 0 ] && [ -t 1 ] && echo tty $(busybox stty size) $(busybox tty) || echo no tty`
		if tt.input != "" {
			script = `read l; echo got $l`
		}
		line := e.bin + " -p " + e.project + " -f " + file + " run --rm " + tt.flags + " app sh -c '" + script + "'"
		cmd := exec.Command("script", "-qec", "stty rows 40 cols 100; "+line, "/dev/null")
		cmd.Env = e.env
		if tt.input != "" {
			// script forwards its stdin to the terminal; keep it open until the command ends.
			r, w, err := os.Pipe()
			if err != nil {
				e.t.Fatal(err)
			}
			defer r.Close()
			cmd.Stdin = r
			go func() {
				time.Sleep(time.Second)
				w.WriteString(tt.input)
				time.Sleep(10 * time.Second)
				w.Close()
			}()
		}
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), tt.want) {
			e.t.Errorf("run %s under a terminal = %v, output %q; want %q", tt.flags, err, out, tt.want)
		}
	}
}

func TestE2EUpWaitOnce(t *testing.T) {
	e := newMiscE2E(t)
	file := writeCompose(t, `services:
  kv:
    image: bte-busybox
    command: ["sh", "-c", "touch /tmp/ready; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "cat", "/tmp/ready"], interval: 100ms, retries: 50}
  web:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on: {kv: {condition: service_healthy}}
  worker:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on: {kv: {condition: service_healthy}}
`)
	_, errs, err := e.berth("-f", file, "up", "-d", "--wait")
	if err != nil {
		t.Fatalf("up -d --wait: %v\n%s", err, errs)
	}
	for _, svc := range []string{"kv", "web", "worker"} {
		for _, status := range []string{"Waiting", "Healthy"} {
			line := " Container " + e.project + "-" + svc + "-1  " + status + "\n"
			if n := strings.Count(errs, line); n != 1 {
				t.Errorf("up --wait printed %q %d times, want once:\n%s", line, n, errs)
			}
		}
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// TestE2EAttachedUpForceKill: the second Ctrl-C kills the containers, also those the
// graceful stop has not reached yet (steady, stopped after stubborn), and their restart
// policy does not bring them back.
func TestE2EAttachedUpForceKill(t *testing.T) {
	e := newMiscE2E(t)
	file := writeCompose(t, `services:
  stubborn:
    image: bte-busybox
    command: ["sh", "-c", "trap '' TERM; echo stubborn ready; while true; do sleep 0.1; done"]
    stop_grace_period: 2m
    restart: always
    depends_on: [steady]
  steady:
    image: bte-busybox
    command: ["sh", "-c", "echo steady ready; exec sleep 3600"]
    restart: always
`)
	b := e.start("-f", file, "up")
	b.waitFor("stubborn ready", false)
	b.waitFor("steady ready", false)
	b.cmd.Process.Signal(syscall.SIGINT)
	b.waitFor("Gracefully stopping... (press Ctrl+C again to force)", true)
	b.waitFor(" Container "+e.project+"-stubborn-1  Stopping", true)
	b.cmd.Process.Signal(syscall.SIGINT)
	if code := b.exitCode(20 * time.Second); code != 130 {
		t.Errorf("up after Ctrl-C twice = exit %d, want 130\nstderr:\n%s", code, b.errb.String())
	}
	time.Sleep(time.Second) // more than the first restart back-off
	if ps := e.mustBerth("-f", file, "ps", "-q"); ps != "" {
		t.Errorf("containers running after Ctrl-C twice: %q; want the restart policy not to apply", ps)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// TestE2ESecretsConfigsTmpfs: secrets and configs reach the container read-only where
// Compose puts them (file, environment and content kinds, mode and uid), the short tmpfs
// syntax mounts at its path with its options, and an unset variable is warned of.
func TestE2ESecretsConfigsTmpfs(t *testing.T) {
	e := newMiscE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    secrets: [pw, {source: token, target: tok, mode: 0400, uid: "1000"}]
    configs: [inline, {source: conf, target: /etc/app.conf}]
    tmpfs: ["/scratch:size=1m,mode=0700"]
    environment: [UNSET=$NOT_SET_ANYWHERE]
secrets:
  pw: {file: ./pw.txt}
  token: {environment: BTE_TOKEN}
configs:
  conf: {file: ./app.conf}
  inline: {content: "a=1"}
`)
	for name, content := range map[string]string{"pw.txt": "s3cret\n", "app.conf": "key=v\n"} {
		if err := os.WriteFile(filepath.Join(filepath.Dir(file), name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.env = append(e.env, "BTE_TOKEN=t0k")
	_, errs, err := e.berth("-f", file, "up", "-d")
	if err != nil {
		t.Fatalf("up: %v\n%s", err, errs)
	}
	if !strings.Contains(errs, `The "NOT_SET_ANYWHERE" variable is not set. Defaulting to a blank string.`) {
		t.Errorf("up's stderr lacks the unset variable warning:\n%s", errs)
	}
	got := e.mustBerth("-f", file, "exec", "app", "sh", "-c",
		`cat /run/secrets/pw /run/secrets/tok /inline /etc/app.conf; echo; stat -c '%a %u' /run/secrets/tok /inline; grep ' /scratch ' /proc/mounts; echo x > /run/secrets/pw || echo read-only`)
	want := "s3cret\nt0ka=1key=v\n\n400 1000\n444 0\ntmpfs /scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=700 0 0\nread-only\n"
	if got != want {
		t.Errorf("secrets, configs and tmpfs in the container:\n%s\nwant\n%s", got, want)
	}
	e.mustBerth("-f", file, "down")
}
