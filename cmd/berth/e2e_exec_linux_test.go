package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestE2EExec(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    scale: 2
    environment: {FROM_SERVICE: svc}
`)
	e.mustBerth("-f", file, "up", "-d")
	tests := []struct {
		name     string
		args     []string
		want     string
		wantCode int
	}{
		{"exit code passthrough", []string{"app", "sh", "-c", "echo out; echo err >&2; exit 7"}, "out\n", 7},
		{"env", []string{"-e", "A=1", "-e", "FROM_SERVICE=flag", "app", "sh", "-c", "echo $A $FROM_SERVICE"}, "1 flag\n", 0},
		{"service env", []string{"app", "sh", "-c", "echo $FROM_SERVICE"}, "svc\n", 0},
		{"workdir", []string{"-w", "/tmp", "app", "sh", "-c", "pwd"}, "/tmp\n", 0},
		{"user", []string{"-u", "1234", "app", "busybox", "id", "-u"}, "1234\n", 0},
		{"stdin", []string{"-T", "app", "cat"}, "", 0},
	}
	hosts := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, err := e.berth(append([]string{"-f", file, "exec"}, tt.args...)...)
			if code := exitCode(err); code != tt.wantCode || (tt.want != "" && out != tt.want) {
				t.Errorf("exec %v = code %d, stdout %q, stderr %q; want %d, %q", tt.args, code, out, errs, tt.wantCode, tt.want)
			}
			if tt.name == "exit code passthrough" && !strings.Contains(errs, "err") {
				t.Errorf("exec stderr = %q, want the command's stderr", errs)
			}
		})
	}
	for _, i := range []string{"1", "2"} {
		out := e.mustBerth("-f", file, "exec", "--index", i, "app", "cat", "/etc/hostname")
		hosts[out] = true
	}
	if len(hosts) != 2 {
		t.Errorf("exec --index 1 and 2 ran in the same container: %v", hosts)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--index", "3", "app", "true"}, `service "app" is not running container #3`},
		{[]string{"nope", "true"}, `no such service: nope`},
		{[]string{"app", "no-such-binary"}, `executable file not found`},
	} {
		_, errs, err := e.berth(append([]string{"-f", file, "exec"}, tt.args...)...)
		if err == nil || !strings.Contains(errs, tt.want) {
			t.Errorf("exec %v = %v, stderr %q; want an error %q", tt.args, err, errs, tt.want)
		}
	}
	e.checkExecTTY(file)
	e.mustBerth("-f", file, "exec", "-d", "app", "sh", "-c", "sleep 0.2; echo done > /tmp/detached")
	e.mustBerth("-f", file, "exec", "app", "sh", "-c", "while [ ! -e /tmp/detached ]; do sleep 0.05; done")
	e.mustBerth("-f", file, "down", "-t", "1")
	_, errs, err := e.berth("-f", file, "exec", "app", "true")
	if err == nil || !strings.Contains(errs, `service "app" is not running`) {
		t.Errorf("exec after down = %v, stderr %q; want not running", err, errs)
	}
	e.assertNoLeaks()
}

// checkExecTTY runs exec under script(1), so that berth's stdin is a terminal: the
// command gets a TTY of its own (with its window size), or none with -T.
func (e *e2e) checkExecTTY(file string) {
	e.t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		e.t.Logf("skipping the TTY check: %v", err)
		return
	}
	for _, tt := range []struct{ flags, want string }{
		{"", "tty 40 100 /dev/pts/0"}, // the container's own devpts, as in Docker
		{"-T", "no tty"},
	} {
		line := e.bin + " -p " + e.project + " -f " + file + " exec " + tt.flags +
			` app sh -c '[ -t 0 ] && [ -t 1 ] && echo tty $(busybox stty size) $(busybox tty) || echo no tty'`
		cmd := exec.Command("script", "-qec", "stty rows 40 cols 100; "+line, "/dev/null")
		cmd.Env = e.env
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), tt.want) {
			e.t.Errorf("exec %s under a terminal = %v, output %q; want %q", tt.flags, err, out, tt.want)
		}
	}
}

func TestE2ERun(t *testing.T) {
	e := newE2E(t)
	host := t.TempDir()
	os.WriteFile(filepath.Join(host, "in"), []byte("from host\n"), 0o644)
	file := writeCompose(t, `services:
  db:
    image: bte-busybox
    command: ["sh", "-c", "echo ok > /tmp/ready; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "cat", "/tmp/ready"], interval: 100ms, retries: 50}
  app:
    image: bte-busybox
    command: ["echo", "service command"]
    environment: {FROM_SERVICE: svc}
    depends_on:
      db: {condition: service_healthy}
`)
	out, errs, err := e.berth("-f", file, "run", "--rm", "-e", "X=1", "-v", host+":/h:ro", "-w", "/h", "app",
		"sh", "-c", "cat in; echo $X $FROM_SERVICE; nslookup db >/dev/null && echo resolved; echo bad >&2; exit 3")
	if code := exitCode(err); code != 3 || out != "from host\n1 svc\nresolved\n" || !strings.Contains(errs, "bad") {
		t.Errorf("run --rm = code %d, stdout %q, stderr %q; want 3 and the command's output", code, out, errs)
	}
	if ps := e.mustBerth("-f", file, "ps", "-a", "--services"); ps != "db\n" {
		t.Errorf("ps -a --services after run --rm = %q, want only the dependency db", ps)
	}
	if out := e.mustBerth("-f", file, "run", "--rm", "--no-deps", "app"); out != "service command\n" {
		t.Errorf("run with the service's command = %q", out)
	}
	name := strings.TrimSpace(e.mustBerth("-f", file, "run", "-d", "--entrypoint", "sleep", "app", "3600"))
	if !strings.HasPrefix(name, e.project+"-app-run-") || len(name) != len(e.project+"-app-run-")+12 {
		t.Errorf("run -d printed %q, want %s-app-run-<12 hex>", name, e.project)
	}
	if ps := e.mustBerth("-f", file, "ps", "--services"); ps != "db\n" {
		t.Errorf("ps without -a = %q, want no one-off container", ps)
	}
	if ps := e.mustBerth("-f", file, "ps", "-a"); !strings.Contains(ps, name) {
		t.Errorf("ps -a = %q, want the one-off %s", ps, name)
	}
	if got := e.mustBerth("-f", file, "exec", "app", "cat", "/proc/1/cmdline"); got != "sleep\x003600\x00" {
		t.Errorf("exec in the one-off = %q", got)
	}
	// up keeps the one-off: it is no replica and no orphan.
	e.mustBerth("-f", file, "up", "-d", "--remove-orphans", "db")
	if ps := e.mustBerth("-f", file, "ps", "-a", "-q"); strings.Count(ps, "\n") != 2 {
		t.Errorf("ps -a -q after up = %q, want db and the one-off", ps)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

func TestE2ERunPublish(t *testing.T) {
	e := newE2E(t)
	port := freePort(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["httpd", "-f", "-p", "80", "-h", "/etc"]
    ports: ["`+freePort(t)+`:80"]
`)
	e.mustBerth("-f", file, "run", "-d", "--name", "bte-web-oneoff", "--publish", "127.0.0.1:"+port+":80", "web")
	if got := e.httpGet("http://127.0.0.1:" + port + "/passwd"); !strings.HasPrefix(got, "root:") {
		t.Errorf("GET through run -p = %q, want /etc/passwd", got)
	}
	if ps := e.mustBerth("-f", file, "ps", "-a", "--format", "json"); strings.Count(ps, `"PublishedPort"`) != 1 {
		t.Errorf("ps = %s; want only the -p port published, not the service's", ps)
	}
	_, errs, err := e.berth("-f", file, "run", "-d", "--name", "bte-web-oneoff", "web")
	if err == nil || !strings.Contains(errs, `container name "bte-web-oneoff" is already in use`) {
		t.Errorf("run with a taken --name = %v, stderr %q", err, errs)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}
