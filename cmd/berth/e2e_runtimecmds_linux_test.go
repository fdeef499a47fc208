package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// runtimeCompose is the project of the runtime command tests: web depends on db, each
// mounts a named volume of its own.
const runtimeCompose = `services:
  web:
    image: bte-busybox
    command: ["sleep", "300"]
    init: true
    depends_on: [db]
    volumes: ["data:/data"]
  db:
    image: bte-busybox
    command: ["sleep", "300"]
    init: true
    volumes: ["logs:/logs"]
volumes:
  data: {}
  logs: {}
`

// countRunning is the number of running containers of service in the project of file.
func (e *e2e) countRunning(file, service string) int {
	n := 0
	for _, c := range e.psList(file, service) {
		if c["State"] == "running" {
			n++
		}
	}
	return n
}

func TestE2EScale(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, runtimeCompose)
	e.mustBerth("-f", file, "scale", "--no-deps", "web=2")
	if got := e.countRunning(file, "web"); got != 2 {
		t.Errorf("after scale --no-deps web=2: %d web running, want 2", got)
	}
	if got := len(e.psList(file, "db")); got != 0 {
		t.Errorf("after scale --no-deps web=2: %d db containers, want none", got)
	}
	e.mustBerth("-f", file, "scale", "web=3")
	if got, db := e.countRunning(file, "web"), e.countRunning(file, "db"); got != 3 || db != 1 {
		t.Errorf("after scale web=3: %d web, %d db running, want 3 and 1", got, db)
	}
	e.mustBerth("-f", file, "scale", "web=1")
	// db does not depend on web: scaling it alone must not take web's containers for orphans.
	_, stderr, err := e.berth("-f", file, "scale", "db=1")
	if err != nil || strings.Contains(stderr, "orphan") {
		t.Errorf("scale db=1: %v, stderr %q; want no orphan warning for web (declared)", err, stderr)
	}
	if got := len(e.psList(file, "web")); got != 1 {
		t.Errorf("after scale web=1: %d web containers, want 1", got)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"scale", "web"}, "invalid scale specifier: web"},
		{[]string{"scale", "web=x"}, "can't parse replica value as int: web=x"},
		{[]string{"scale", "nosuch=1"}, "no such service"},
		{[]string{"scale"}, "requires at least 1 arg"},
	} {
		_, stderr, err := e.berth(append([]string{"-f", file}, tt.args...)...)
		if exitCode(err) != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("berth %s: exit %d, stderr %q; want 1 and %q", strings.Join(tt.args, " "), exitCode(err), stderr, tt.want)
		}
	}
}

func TestE2EVolumes(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, runtimeCompose)
	if out := e.mustBerth("-f", file, "volumes"); out != "DRIVER    VOLUME NAME\n" {
		t.Errorf("volumes before up = %q, want the header only", out)
	}
	e.mustBerth("-f", file, "up", "-d")
	data, logs := e.project+"_data", e.project+"_logs"
	want := "DRIVER    VOLUME NAME\nlocal     " + data + "\nlocal     " + logs + "\n"
	if out := e.mustBerth("-f", file, "volumes"); out != want {
		t.Errorf("volumes = %q, want %q", out, want)
	}
	if out := e.mustBerth("-f", file, "volumes", "-q", "web"); out != data+"\n" {
		t.Errorf("volumes -q web = %q, want %q", out, data+"\n")
	}
	if out := e.mustBerth("volumes", "--format", "{{.Name}} {{.Driver}}", "db"); out != logs+" local\n" {
		t.Errorf("volumes --format (by -p, no file) db = %q, want %q", out, logs+" local\n")
	}
	var row map[string]any
	out := e.mustBerth("-f", file, "volumes", "--format", "json", "web")
	if err := json.Unmarshal([]byte(out), &row); err != nil {
		t.Fatalf("volumes --format json: %v: %q", err, out)
	}
	for _, k := range []string{"Availability", "Driver", "Group", "Labels", "Links", "Mountpoint", "Name", "Scope", "Size", "Status"} {
		if _, ok := row[k]; !ok {
			t.Errorf("volumes --format json: no key %q in %v", k, row)
		}
	}
	if row["Name"] != data || !strings.Contains(row["Labels"].(string), "com.docker.compose.volume=data") {
		t.Errorf("volumes --format json web = %v, want %s labelled volume=data", row, data)
	}
	_, stderr, err := e.berth("-f", file, "volumes", "nosuch")
	if exitCode(err) != 1 || !strings.Contains(stderr, "no such service: nosuch") {
		t.Errorf("volumes nosuch: exit %d, stderr %q; want 1 and no such service", exitCode(err), stderr)
	}
}

// statsLines decodes `stats --format json` lines by container name.
func statsLines(t *testing.T, out string) map[string]map[string]string {
	t.Helper()
	rows := map[string]map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var row map[string]string
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("stats --format json line %q: %v", line, err)
		}
		rows[row["Name"]] = row
	}
	return rows
}

func TestE2EStats(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, strings.Replace(runtimeCompose, "init: true\n    depends_on", "init: true\n    mem_limit: 32m\n    depends_on", 1))
	if out := e.mustBerth("-f", file, "stats", "--no-stream"); out != "" {
		t.Errorf("stats --no-stream before up = %q, want nothing, as Docker", out)
	}
	e.mustBerth("-f", file, "up", "-d")
	e.mustBerth("-f", file, "exec", "web", "nslookup", "db") // some traffic over eth0
	web, db := e.project+"-web-1", e.project+"-db-1"
	rows := statsLines(t, e.mustBerth("-f", file, "stats", "--no-stream", "--format", "json"))
	if len(rows) != 2 || rows[web] == nil || rows[db] == nil {
		t.Fatalf("stats --format json = %v, want %s and %s", rows, web, db)
	}
	w := rows[web]
	for _, k := range []string{"BlockIO", "CPUPerc", "Container", "ID", "MemPerc", "MemUsage", "Name", "NetIO", "PIDs"} {
		if _, ok := w[k]; !ok {
			t.Errorf("stats json: no key %q in %v", k, w)
		}
	}
	if len(w["ID"]) != 12 || !strings.HasPrefix(w["Container"], w["ID"]) || len(w["Container"]) != 64 {
		t.Errorf("stats json ID %q, Container %q; want 12 characters of the 64", w["ID"], w["Container"])
	}
	if !strings.HasSuffix(w["MemUsage"], " / 32MiB") || w["PIDs"] != "2" || w["NetIO"] == "0B / 0B" || !strings.HasSuffix(w["CPUPerc"], "%") {
		t.Errorf("stats of web = %v, want a 32MiB limit, 2 PIDs (init and sleep), some net I/O", w)
	}
	out := e.mustBerth("-f", file, "stats", "--no-stream", "--no-trunc", "web")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "CONTAINER ID ") || !strings.Contains(lines[0], "MEM USAGE / LIMIT") ||
		!strings.Contains(lines[1], w["Container"]+" ") || !strings.Contains(lines[1], web) {
		t.Errorf("stats --no-stream --no-trunc web =\n%s\nwant the header and web's line with its full ID", out)
	}
	e.mustBerth("-f", file, "stop", "-t", "1", "db")
	if rows := statsLines(t, e.mustBerth("-f", file, "stats", "--no-stream", "--format", "json")); len(rows) != 1 {
		t.Errorf("stats after stop db = %v, want web only", rows)
	}
	rows = statsLines(t, e.mustBerth("-f", file, "stats", "-a", "--no-stream", "--format", "json"))
	if d := rows[db]; d == nil || d["MemUsage"] != "0B / 0B" || d["PIDs"] != "0" {
		t.Errorf("stats -a: db = %v, want zero counters", d)
	}
	// Streaming to a pipe: frames follow each other, each with its header.
	cmd := e.command("-f", file, "stats", "--format", "table {{.Name}}\t{{.PIDs}}", "web")
	var stream strings.Builder
	cmd.Stdout = &stream
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1800 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	if n := strings.Count(stream.String(), "NAME "); n < 2 || strings.Contains(stream.String(), "\033[") {
		t.Errorf("streamed stats = %q, want 2 or more plain frames", stream.String())
	}
	// Streaming to a terminal: each frame drawn over the last, as Docker draws them.
	master, slave := openPTY(t)
	cmd = e.command("-f", file, "stats", "--format", "table {{.Name}}\t{{.PIDs}}", "web")
	cmd.Stdout = slave
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	time.AfterFunc(1800*time.Millisecond, func() { cmd.Process.Kill() })
	screen, _ := io.ReadAll(master) // until berth is gone (EIO)
	cmd.Wait()
	frame := "\033[HNAME" // cursor home, then the header
	if n := strings.Count(string(screen), frame); n < 2 || !strings.Contains(string(screen), "\033[K\r\n") || !strings.Contains(string(screen), "\033[J") {
		t.Errorf("stats on a terminal = %q, want 2 or more frames drawn from the cursor home, lines erased to their end", screen)
	}
}

// openPTY opens a pseudo-terminal pair; both ends are closed after the test.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("skipping: no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// eventLine is one line of `events --json`.
type eventLine struct {
	Time       time.Time         `json:"time"`
	Type       string            `json:"type"`
	Service    string            `json:"service"`
	ID         string            `json:"id"`
	Action     string            `json:"action"`
	Attributes map[string]string `json:"attributes"`
}

// eventActions decodes `events --json` output into "service action" lines.
func eventActions(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var ev eventLine
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("events --json line %q: %v", line, err)
		}
		if ev.Type != "container" || len(ev.ID) != 64 || ev.Attributes["name"] == "" || ev.Time.IsZero() {
			t.Errorf("event %q: want type container, an ID, a name attribute and a time", line)
		}
		got = append(got, ev.Service+" "+ev.Action)
	}
	return got
}

func TestE2EEvents(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  web:
    image: bte-busybox
    command: ["sleep", "300"]
    init: true
    labels: {tier: front}
    healthcheck: {test: ["CMD", "true"], interval: 200ms}
  job:
    image: bte-busybox
    command: ["sh", "-c", "sleep 1; exit 3"]
  hog:
    image: bte-busybox
    mem_limit: 16m
    command: ["sh", "-c", "sleep 1; a=x; while :; do a=$$a$$a; done"]
`)
	// A follower started before the project exists sees what follows, in order.
	follow := e.command("-f", file, "events", "--json", "web")
	var followed strings.Builder
	follow.Stdout = &followed
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	e.mustBerth("-f", file, "up", "-d")
	if !eventually(10*time.Second, func() bool {
		out := e.mustBerth("-f", file, "events", "--json", "--since", "1m", "--until", "0s")
		return strings.Contains(out, `"job"`) && strings.Contains(out, `"die"`) && strings.Contains(out, `health_status: healthy`) &&
			strings.Contains(out, `"oom"`)
	}) {
		t.Fatalf("no die of job (by the supervisor), oom of hog or health of web:\n%s", e.mustBerth("-f", file, "events", "--json", "--since", "1m", "--until", "0s"))
	}
	for _, args := range [][]string{{"pause", "web"}, {"unpause", "web"}, {"restart", "-t", "1", "web"}, {"kill", "-s", "WINCH", "web"}, {"down", "-t", "1"}} {
		e.mustBerth(append([]string{"-f", file}, args...)...)
	}
	time.Sleep(300 * time.Millisecond)
	follow.Process.Signal(os.Interrupt)
	if err := follow.Wait(); exitCode(err) != 130 {
		t.Errorf("events interrupted: %v, want exit status 130 as Compose", err)
	}
	got := eventActions(t, followed.String())
	want := []string{"web create", "web start", "web health_status: healthy", "web pause", "web unpause",
		"web kill", "web die", "web stop", "web start", "web restart", "web kill", "web kill", "web die", "web stop", "web destroy"}
	var noHealth []string
	for i, a := range got {
		if a != "web health_status: healthy" || i == slices.Index(got, a) { // each start may report health again
			noHealth = append(noHealth, a)
		}
	}
	if !slices.Equal(noHealth, want) {
		t.Errorf("events --json web followed:\n%q\nwant\n%q", got, want)
	}
	// Replayed from the log: both services, the text form, job's exit code and web's label.
	out := e.mustBerth("-f", file, "events", "--since", "1m", "--until", "0s")
	for _, want := range []string{" container die ", "exitCode=3", "tier=front", "signal=28", " container destroy ", " container oom ", "exitCode=137"} {
		if !strings.Contains(out, want) {
			t.Errorf("events --since 1m --until 0s: no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "com.docker.compose") {
		t.Errorf("events show Compose's labels, which Compose leaves out:\n%s", out)
	}
	_, stderr, err := e.berth("-f", file, "events", "--since", "yesterday")
	if exitCode(err) != 1 || !strings.Contains(stderr, "failed to parse value as time or duration") {
		t.Errorf("events --since yesterday: exit %d, %q", exitCode(err), stderr)
	}
}

func TestE2EAttach(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  echo:
    image: bte-busybox
    stdin_open: true
    command: ["sh", "-c", "echo before; while read l; do echo \"got $$l\"; echo \"err $$l\" >&2; [ \"$$l\" = quit ] && exit 7; done"]
  ticker:
    image: bte-busybox
    init: true
    command: ["sh", "-c", "echo first; while :; do echo tick; sleep 0.2; done"]
  term:
    image: bte-busybox
    stdin_open: true
    tty: true
    command: ["sh", "-c", "while :; do sleep 1; done"]
`)
	e.mustBerth("-f", file, "up", "-d")
	time.Sleep(500 * time.Millisecond) // "before" and "first" are written before attaching

	// stdin in, stdout and stderr out, the container's exit code out.
	cmd := e.command("-f", file, "attach", "echo")
	var stdout, stderr strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader("hi\nquit\n"), &stdout, &stderr
	if err := runWithin(cmd, 20*time.Second); exitCode(err) != 7 {
		t.Errorf("attach echo: %v (stderr %q), want exit status 7, the container's", err, stderr.String())
	}
	if stdout.String() != "got hi\ngot quit\n" || stderr.String() != "err hi\nerr quit\n" {
		t.Errorf("attach echo: stdout %q, stderr %q; want the output written after attaching, stream by stream", stdout.String(), stderr.String())
	}

	// Output only, and the signals berth gets go to the container (through its init).
	cmd = e.command("-f", file, "attach", "--no-stdin", "--index", "1", "ticker")
	stdout.Reset()
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	cmd.Process.Signal(syscall.SIGTERM)
	timer := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	if err := cmd.Wait(); exitCode(err) != 143 {
		t.Errorf("attach ticker after SIGTERM: %v, want 143, the container's exit by the forwarded signal", err)
	}
	if out := stdout.String(); !strings.Contains(out, "tick\n") || strings.Contains(out, "first") {
		t.Errorf("attach ticker = %q, want ticks written after attaching only", out)
	}

	// The detach keys (the container has a tty) leave it running.
	_, stderrOut, err := e.berthIn("x\x10\x11", "-f", file, "attach", "term")
	if exitCode(err) != 1 || !strings.Contains(stderrOut, "read escape sequence") {
		t.Errorf("attach term, ctrl-p ctrl-q: exit %d, stderr %q; want 1 and read escape sequence", exitCode(err), stderrOut)
	}
	if got := e.countRunning(file, "term"); got != 1 {
		t.Errorf("after detaching: %d term running, want 1", got)
	}
	// berth hands stdin out once per start: attaching again gets the output only.
	_, stderrOut, err = e.berthIn("x\x10\x11", "-f", file, "attach", "term")
	if exitCode(err) != -1 || !strings.Contains(stderrOut, "attaching its output only") {
		t.Errorf("attach term again: exit %d, stderr %q; want it attached (killed after a while), output only", exitCode(err), stderrOut)
	}
	e.mustBerth("-f", file, "restart", "-t", "1", "term")
	_, stderrOut, err = e.berthIn("x\x01\x02", "-f", file, "attach", "--detach-keys", "ctrl-a,ctrl-b", "term")
	if exitCode(err) != 1 || !strings.Contains(stderrOut, "read escape sequence") {
		t.Errorf("attach --detach-keys ctrl-a,ctrl-b term after a restart: exit %d, stderr %q", exitCode(err), stderrOut)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"attach", "nosuch"}, `service "nosuch" is not running`},
		{[]string{"attach", "--index", "2", "term"}, `service "term" is not running container #2`},
		{[]string{"attach", "--detach-keys", "ctrl-p,xyz", "term"}, "invalid detach keys (ctrl-p,xyz)"},
		{[]string{"attach"}, "requires at least 1 arg"},
	} {
		_, stderr, err := e.berth(append([]string{"-f", file}, tt.args...)...)
		if exitCode(err) != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("berth %s: exit %d, stderr %q; want 1 and %q", strings.Join(tt.args, " "), exitCode(err), stderr, tt.want)
		}
	}
	e.mustBerth("-f", file, "pause", "term")
	if _, stderr, err := e.berth("-f", file, "attach", "term"); exitCode(err) != 1 || !strings.Contains(stderr, "you cannot attach to a paused container") {
		t.Errorf("attach to a paused container: exit %d, stderr %q", exitCode(err), stderr)
	}
	e.mustBerth("-f", file, "unpause", "term")
}

// berthIn runs berth with input on its stdin and returns stdout, stderr and the
// error; one still running after 5 s is killed (its exitCode is -1).
func (e *e2e) berthIn(input string, args ...string) (string, string, error) {
	cmd := e.command(args...)
	var out, errb strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(input), &out, &errb
	err := runWithin(cmd, 5*time.Second)
	return out.String(), errb.String(), err
}

// runWithin runs cmd, killed when it still runs after d.
func runWithin(cmd *exec.Cmd, d time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	timer := time.AfterFunc(d, func() { cmd.Process.Kill() })
	defer timer.Stop()
	return cmd.Wait()
}
