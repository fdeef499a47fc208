package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// loop is a service command that logs word once, then runs until it gets SIGTERM
// (exit 0), as a well-behaved daemon does.
func loop(word string) string {
	return `["sh", "-c", "trap 'exit 0' TERM; echo ` + word + `; while true; do sleep 0.1; done"]`
}

// berthStdin runs the binary like berth, with stdin.
func (e *e2e) berthStdin(stdin string, args ...string) (string, string, error) {
	cmd := e.command(args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// psAll decodes `ps -a --format json`, by container name.
func (e *e2e) psAll(file string) map[string]map[string]any {
	e.t.Helper()
	out := map[string]map[string]any{}
	for _, m := range e.psList(file) {
		out[m["Name"].(string)] = m
	}
	return out
}

// waitState polls ps until container name has state (and, for exited, exit code).
func (e *e2e) waitState(file, name, state string, code int) {
	e.t.Helper()
	var c map[string]any
	if eventually(10*time.Second, func() bool {
		c = e.psAll(file)[name]
		return c != nil && c["State"] == state && (state != "exited" || c["ExitCode"] == float64(code))
	}) {
		return
	}
	e.t.Errorf("container %s = %v, want state %s (exit %d)", name, c, state, code)
}

func (e *e2e) ctr(service string) string { return e.project + "-" + service + "-1" }

// inOrder reports whether every string appears in s, each after the previous one.
func inOrder(s string, parts ...string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

func TestE2EStopStart(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  db:
    image: bte-busybox
    command: `+loop("db-up")+`
  web:
    image: bte-busybox
    command: `+loop("web-up")+`
    depends_on: [db]
`)
	e.mustBerth("-f", file, "up", "-d")
	ids := e.mustBerth("-f", file, "ps", "-q")
	if strings.Count(ids, "\n") != 2 {
		t.Fatalf("ps -q after up = %q, want 2 containers", ids)
	}
	_, errs, err := e.berth("-f", file, "stop")
	if err != nil || !inOrder(errs, " Container "+e.ctr("web")+"  Stopped", " Container "+e.ctr("db")+"  Stopped") {
		t.Errorf("stop = %v, stderr %q; want web stopped, then db", err, errs)
	}
	for _, s := range []string{"db", "web"} {
		if c := e.psAll(file)[e.ctr(s)]; c["State"] != "exited" || c["ExitCode"] != float64(0) {
			t.Errorf("ps -a after stop: %s = %v, want exited (0)", s, c)
		}
	}
	if out := e.mustBerth("-f", file, "ps", "-q"); out != "" {
		t.Errorf("ps -q after stop = %q, want nothing running", out)
	}
	if kept := e.mustBerth("-f", file, "ps", "-a", "-q"); kept != ids {
		t.Errorf("ps -a -q after stop = %q, want the containers kept: %q", kept, ids)
	}
	_, errs, err = e.berth("-f", file, "start")
	if err != nil || !inOrder(errs, " Container "+e.ctr("db")+"  Started", " Container "+e.ctr("web")+"  Started") {
		t.Errorf("start = %v, stderr %q; want db started, then web", err, errs)
	}
	if after := e.mustBerth("-f", file, "ps", "-q"); after != ids {
		t.Errorf("ps -q after start = %q, want the same containers %q running", after, ids)
	}
	e.waitLogCount(file, "db", "db-up", 2) // the log goes on across runs
	// A second start changes nothing; stop -t 0 kills at once and only the named service.
	if _, errs, err := e.berth("-f", file, "start"); err != nil || strings.Contains(errs, "Started") {
		t.Errorf("start of running containers = %v, stderr %q; want nothing done", err, errs)
	}
	begin := time.Now()
	e.mustBerth("-f", file, "stop", "-t", "0", "web")
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("stop -t 0 took %v", d)
	}
	if out := e.mustBerth("-f", file, "ps", "-q"); strings.Count(out, "\n") != 1 {
		t.Errorf("ps -q after stop web = %q, want db alone", out)
	}
	if _, errs, err := e.berth("-f", file, "stop", "nope"); err == nil || !strings.Contains(errs, "no such service: nope") {
		t.Errorf("stop nope = %v, stderr %q; want no such service", err, errs)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

func (e *e2e) logCount(file, service, word string) int {
	e.t.Helper()
	return strings.Count(e.mustBerth("-f", file, "logs", service), word)
}

func (e *e2e) waitLogCount(file, service, word string, n int) {
	e.t.Helper()
	got := 0
	if eventually(10*time.Second, func() bool { got = e.logCount(file, service, word); return got == n }) {
		return
	}
	e.t.Errorf("logs %s: %q %d times, want %d", service, word, got, n)
}

func TestE2ERestart(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  db:
    image: bte-busybox
    command: `+loop("db-boot")+`
  app:
    image: bte-busybox
    command: `+loop("app-boot")+`
    depends_on:
      db: {condition: service_started, restart: true}
  other:
    image: bte-busybox
    command: `+loop("other-boot")+`
    depends_on: [db]
`)
	e.mustBerth("-f", file, "up", "-d")
	ids := e.mustBerth("-f", file, "ps", "-q")
	e.waitLogCount(file, "db", "db-boot", 1)
	// db brings app along (restart: true), not other.
	_, errs, err := e.berth("-f", file, "restart", "db")
	if err != nil || !inOrder(errs, " Container "+e.ctr("db")+"  Started", " Container "+e.ctr("app")+"  Started") ||
		strings.Contains(errs, e.ctr("other")) {
		t.Errorf("restart db = %v, stderr %q; want db then app restarted, not other", err, errs)
	}
	e.waitLogCount(file, "db", "db-boot", 2)
	e.waitLogCount(file, "app", "app-boot", 2)
	e.waitLogCount(file, "other", "other-boot", 1)
	_, errs, err = e.berth("-f", file, "restart", "--no-deps", "-t", "1", "db")
	if err != nil || strings.Contains(errs, e.ctr("app")) {
		t.Errorf("restart --no-deps db = %v, stderr %q; want db alone", err, errs)
	}
	e.waitLogCount(file, "db", "db-boot", 3)
	// A stopped container is started by restart.
	e.mustBerth("-f", file, "stop", "other")
	e.mustBerth("-f", file, "restart", "other")
	e.waitLogCount(file, "other", "other-boot", 2)
	if after := e.mustBerth("-f", file, "ps", "-q"); after != ids {
		t.Errorf("ps -q after restarts = %q, want the same containers %q", after, ids)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

func TestE2EKillSignal(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sh", "-c", "trap 'exit 7' USR1; while true; do sleep 0.1; done"]
`)
	e.mustBerth("-f", file, "up", "-d")
	if _, errs, err := e.berth("-f", file, "kill", "-s", "SIGNOPE"); err == nil || !strings.Contains(errs, `invalid signal "SIGNOPE"`) {
		t.Errorf("kill -s SIGNOPE = %v, stderr %q; want invalid signal", err, errs)
	}
	_, errs, err := e.berth("-f", file, "kill", "-s", "SIGUSR1")
	if err != nil || !strings.Contains(errs, " Container "+e.ctr("web")+"  Killed") {
		t.Errorf("kill -s SIGUSR1 = %v, stderr %q; want Killed", err, errs)
	}
	e.waitState(file, e.ctr("web"), "exited", 7)
	if _, errs, err := e.berth("-f", file, "kill"); err != nil || !strings.Contains(errs, "no container to kill") {
		t.Errorf("kill with nothing running = %v, stderr %q; want %q", err, errs, "no container to kill")
	}
	e.mustBerth("-f", file, "start")
	e.mustBerth("-f", file, "kill", "web") // SIGKILL by default
	e.waitState(file, e.ctr("web"), "exited", 137)
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func TestE2ERm(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  a:
    image: bte-busybox
    command: `+loop("a-up")+`
    ports: ["`+freePort(t)+`:80"]
  b:
    image: bte-busybox
    command: ["true"]
`)
	e.mustBerth("-f", file, "up", "-d")
	e.waitState(file, e.ctr("b"), "exited", 0)
	out, _, err := e.berthStdin("n\n", "-f", file, "rm")
	if want := "Going to remove " + e.ctr("b") + "\nAre you sure? [yN] "; err != nil || out != want {
		t.Errorf("rm answered n = %v, stdout %q; want %q", err, out, want)
	}
	if len(e.psAll(file)) != 2 {
		t.Errorf("rm answered n removed something: %v", e.psAll(file))
	}
	if _, errs, err := e.berthStdin("y\n", "-f", file, "rm"); err != nil || !strings.Contains(errs, " Container "+e.ctr("b")+"  Removed") {
		t.Errorf("rm answered y = %v, stderr %q; want b removed", err, errs)
	}
	if ps := e.psAll(file); len(ps) != 1 || ps[e.ctr("a")] == nil {
		t.Errorf("ps -a after rm = %v, want a alone", ps)
	}
	if _, errs, err := e.berth("-f", file, "rm", "--force"); err != nil || !strings.Contains(errs, "No stopped containers") {
		t.Errorf("rm --force with a running = %v, stderr %q; want No stopped containers", err, errs)
	}
	out, errs, err := e.berth("-f", file, "rm", "-s", "--force", "-v")
	if err != nil || out != "Going to remove "+e.ctr("a")+"\n" ||
		!inOrder(errs, " Container "+e.ctr("a")+"  Stopped", " Container "+e.ctr("a")+"  Removed") {
		t.Errorf("rm -s --force = %v, stdout %q, stderr %q; want a stopped and removed", err, out, errs)
	}
	if ps := e.psAll(file); len(ps) != 0 {
		t.Errorf("ps -a after rm -s --force = %v, want nothing", ps)
	}
	if ents, _ := os.ReadDir(filepath.Join(e.run, "netns")); len(ents) != 0 {
		t.Errorf("rm left %d network namespaces", len(ents))
	}
	// up creates new containers, and down still removes everything.
	e.mustBerth("-f", file, "up", "-d")
	if ps := e.psAll(file); len(ps) != 2 {
		t.Errorf("ps -a after up again = %v, want 2 containers", ps)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

func TestE2EPauseUnpause(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  counter:
    image: bte-busybox
    command: ["sh", "-c", "while true; do echo tick; sleep 0.05; done"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	time.Sleep(200 * time.Millisecond)
	if _, errs, err := e.berth("-f", file, "pause"); err != nil || !strings.Contains(errs, " Container "+e.ctr("counter")+"  Paused") {
		t.Fatalf("pause = %v, stderr %q; want Paused", err, errs)
	}
	var c map[string]any
	dec := json.NewDecoder(strings.NewReader(e.mustBerth("-f", file, "ps", "--format", "json")))
	if err := dec.Decode(&c); err != nil || c["State"] != "paused" || !strings.HasSuffix(c["Status"].(string), "(Paused)") {
		t.Errorf("ps of a paused container = %v, %v; want state paused", c, err)
	}
	if _, errs, err := e.berth("-f", file, "pause"); err == nil || !strings.Contains(errs, "is already paused") {
		t.Errorf("pause twice = %v, stderr %q; want already paused", err, errs)
	}
	time.Sleep(100 * time.Millisecond)
	before := e.logCount(file, "counter", "tick")
	time.Sleep(500 * time.Millisecond)
	if after := e.logCount(file, "counter", "tick"); after != before {
		t.Errorf("ticks while paused went from %d to %d", before, after)
	}
	if _, errs, err := e.berth("-f", file, "unpause"); err != nil || !strings.Contains(errs, " Container "+e.ctr("counter")+"  Unpaused") {
		t.Errorf("unpause = %v, stderr %q; want Unpaused", err, errs)
	}
	time.Sleep(300 * time.Millisecond)
	if after := e.logCount(file, "counter", "tick"); after <= before {
		t.Errorf("ticks after unpause = %d, want more than %d", after, before)
	}
	if _, errs, err := e.berth("-f", file, "unpause"); err == nil || !strings.Contains(errs, "is not paused") {
		t.Errorf("unpause of a running container = %v, stderr %q; want not paused", err, errs)
	}
	// down removes a paused container.
	e.mustBerth("-f", file, "pause")
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func TestE2EPort(t *testing.T) {
	e := newE2E(t)
	tcp, udp := freePort(t), freePort(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sleep", "600"]
    stop_signal: SIGKILL
    ports: ["`+tcp+`:80", "127.0.0.1:`+udp+`:53/udp"]
`)
	e.mustBerth("-f", file, "up", "-d")
	tests := []struct {
		args []string
		want string
		err  string
	}{
		{[]string{"web", "80"}, "0.0.0.0:" + tcp + "\n", ""},
		{[]string{"--protocol", "udp", "web", "53"}, "127.0.0.1:" + udp + "\n", ""},
		{[]string{"--index", "1", "web", "80"}, "0.0.0.0:" + tcp + "\n", ""},
		{[]string{"web", "81"}, "", "no port 81/tcp for container " + e.ctr("web")},
		{[]string{"--index", "2", "web", "80"}, "", `service "web" has no container number 2`},
		{[]string{"nope", "80"}, "", "no such service: nope"},
		{[]string{"web", "http"}, "", `invalid private port "http"`},
	}
	for _, tt := range tests {
		out, errs, err := e.berth(append([]string{"-f", file, "port"}, tt.args...)...)
		if tt.err == "" && (err != nil || out != tt.want) {
			t.Errorf("port %v = %q, %v (%s); want %q", tt.args, out, err, errs, tt.want)
		}
		if tt.err != "" && (err == nil || !strings.Contains(errs, tt.err)) {
			t.Errorf("port %v = %v, stderr %q; want an error %q", tt.args, err, errs, tt.err)
		}
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func TestE2ETop(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sleep", "600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	lines := strings.Split(e.mustBerth("-f", file, "top"), "\n")
	if len(lines) != 5 || lines[0] != e.ctr("web") || strings.Join(strings.Fields(lines[1]), " ") != "UID PID PPID C STIME TTY TIME CMD" || lines[3] != "" {
		t.Fatalf("top = %q, want the container's name, the header, one process and a blank line", lines)
	}
	f := strings.Fields(lines[2])
	if len(f) != 9 || f[0] != "root" || f[5] != "?" || f[7] != "sleep" || f[8] != "600" {
		t.Fatalf("top process line = %q, want root's sleep 600 without a tty", lines[2])
	}
	// PIDs are the host's.
	if pid, err := strconv.Atoi(f[1]); err != nil || pid == 1 {
		t.Errorf("top PID = %q, want a host pid", f[1])
	} else if b, _ := os.ReadFile("/proc/" + f[1] + "/cmdline"); string(b) != "sleep\x00600\x00" {
		t.Errorf("/proc/%s/cmdline = %q, want sleep 600", f[1], b)
	}
	e.mustBerth("-f", file, "stop")
	if out := e.mustBerth("-f", file, "top"); out != "" {
		t.Errorf("top of a stopped project = %q, want nothing", out)
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func TestE2EWait(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  fast:
    image: bte-busybox
    command: ["sh", "-c", "sleep 0.5; exit 3"]
  slow:
    image: bte-busybox
    command: ["sh", "-c", "sleep 1.5; exit 0"]
`)
	e.mustBerth("-f", file, "up", "-d")
	ids := strings.Fields(e.mustBerth("-f", file, "ps", "-q", "fast", "slow"))
	if len(ids) != 2 {
		t.Fatalf("ps -q = %q, want 2 containers", ids)
	}
	out, errs, err := e.berth("-f", file, "wait", "fast", "slow")
	if code := exitCode(err); code != 3 {
		t.Errorf("wait exit code = %d (%v, stderr %q), want the first container's 3", code, err, errs)
	}
	want := `container "` + ids[0] + `" exited with status code 3` + "\n" + `container "` + ids[1] + `" exited with status code 0` + "\n"
	if out != want {
		t.Errorf("wait printed %q, want %q", out, want)
	}
	// Compose fails here ("no containers"); berth returns the exited one's code, as
	// `docker wait` does (issue 18).
	if out, errs, err := e.berth("-f", file, "wait", "fast"); exitCode(err) != 3 || out != `container "`+ids[0]+`" exited with status code 3`+"\n" {
		t.Errorf("wait with nothing running = exit %d, stdout %q, stderr %q; want fast's 3", exitCode(err), out, errs)
	}
	e.mustBerth("-f", file, "down")
	e.assertNoLeaks()
}

func TestE2ELs(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sleep", "600"]
    stop_signal: SIGKILL
  job:
    image: bte-busybox
    command: ["true"]
`)
	ls := func(args ...string) []map[string]string {
		t.Helper()
		var list []map[string]string
		out := e.mustBerth(append([]string{"ls", "--format", "json"}, args...)...)
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("ls --format json = %q: %v", out, err)
		}
		return list
	}
	if got := ls("-a"); len(got) != 0 {
		t.Errorf("ls -a before up = %v, want []", got)
	}
	e.mustBerth("-f", file, "up", "-d")
	e.waitState(file, e.ctr("job"), "exited", 0)
	want := map[string]string{"Name": e.project, "Status": "running(1)", "ConfigFiles": file}
	if got := ls(); len(got) != 1 || got[0]["Name"] != want["Name"] || got[0]["Status"] != want["Status"] || got[0]["ConfigFiles"] != want["ConfigFiles"] {
		t.Errorf("ls = %v, want [%v]", got, want)
	}
	if got := ls("-a"); len(got) != 1 || got[0]["Status"] != "exited(1), running(1)" {
		t.Errorf("ls -a = %v, want status exited(1), running(1)", got)
	}
	e.mustBerth("-f", file, "stop")
	if got := ls(); len(got) != 0 {
		t.Errorf("ls after stop = %v, want []", got)
	}
	if got := e.mustBerth("ls", "-a", "-q"); got != e.project+"\n" {
		t.Errorf("ls -a -q = %q, want %q", got, e.project+"\n")
	}
	if out := e.mustBerth("ls", "-a"); !strings.HasPrefix(out, "NAME") || !strings.Contains(out, "exited(2)") {
		t.Errorf("ls -a table = %q, want a header and exited(2)", out)
	}
	e.mustBerth("-f", file, "down")
	if got := ls("-a"); len(got) != 0 {
		t.Errorf("ls -a after down = %v, want []", got)
	}
	e.assertNoLeaks()
}
