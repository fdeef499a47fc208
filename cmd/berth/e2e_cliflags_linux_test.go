package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// berthEnv runs the binary as e.berth does, with extra environment variables.
func (e *e2e) berthEnv(env []string, args ...string) (string, string, error) {
	cmd := e.command(args...)
	cmd.Env = append(cmd.Env, env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// writeComposeIn writes compose.yaml content in dir (projects that change their file
// keep their directory, hence their name and state).
func writeComposeIn(t *testing.T, dir, content string) string {
	t.Helper()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

const orphanWarning = "Found orphan containers ("

func TestE2EPsFormatAndOrphans(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	file := writeComposeIn(t, dir, `services:
  web: {image: bte-busybox, command: ["sleep", "3600"], stop_signal: SIGKILL, labels: {tier: front}}
  old: {image: bte-busybox, command: ["sleep", "3600"], stop_signal: SIGKILL}
`)
	e.mustBerth("-f", file, "up", "-d")
	// up of one service: the other service the file declares is no orphan (nor for Compose).
	if _, errs, err := e.berth("-f", file, "up", "-d", "web"); err != nil || strings.Contains(errs, orphanWarning) {
		t.Errorf("up -d web = %v, stderr %q; want no orphan warning", err, errs)
	}
	writeComposeIn(t, dir, `services:
  web: {image: bte-busybox, command: ["sleep", "3600"], stop_signal: SIGKILL, labels: {tier: front}}
`)
	// ls --filter name= keeps the projects whose name matches; other keys are errors.
	if got := e.mustBerth("ls", "-q", "--filter", "name="+e.project[:6]); got != e.project+"\n" {
		t.Errorf("ls -q --filter name=%s = %q, want %s", e.project[:6], got, e.project)
	}
	if got := e.mustBerth("ls", "-q", "--filter", "name=^nomatch$"); got != "" {
		t.Errorf("ls -q --filter name=^nomatch$ = %q, want nothing", got)
	}
	if _, errs, err := e.berth("ls", "--filter", "status=running"); exitCode(err) != 1 || !strings.Contains(errs, "invalid filter 'status'") {
		t.Errorf("ls --filter status=running = %v, stderr %q; want exit 1, invalid filter", err, errs)
	}
	ps := func(args ...string) string {
		return e.mustBerth(append([]string{"-f", file, "ps"}, args...)...)
	}
	if got, want := ps("--format", `{{.Service}} {{.State}} {{.Label "tier"}}`), "old running \nweb running front\n"; got != want {
		t.Errorf("ps --format = %q, want %q", got, want)
	}
	if got, want := ps("--orphans=false", "--format", "{{.Name}}"), e.project+"-web-1\n"; got != want {
		t.Errorf("ps --orphans=false = %q, want %q", got, want)
	}
	if got := ps("--format", `table {{.Service}}\t{{.Command}}`); !strings.HasPrefix(got, "SERVICE   COMMAND\nold       \"sleep 3600\"\n") {
		t.Errorf("ps --format 'table ...' = %q, want a SERVICE/COMMAND table", got)
	}
	if _, errs, err := e.berth("-f", file, "ps", "--format", "{{.Nope}}"); err == nil || !strings.Contains(errs, "Nope") {
		t.Errorf("ps --format {{.Nope}} = %v, %q; want an error naming the field", err, errs)
	}

	// up warns about the orphan, unless COMPOSE_IGNORE_ORPHANS; both it and
	// --remove-orphans is an error; COMPOSE_REMOVE_ORPHANS removes it.
	if _, errs, err := e.berth("-f", file, "up", "-d"); err != nil || !strings.Contains(errs, orphanWarning+e.project+"-old-1)") {
		t.Errorf("up -d with an orphan = %v, stderr %q; want Compose's warning naming it", err, errs)
	}
	if _, errs, err := e.berthEnv([]string{"COMPOSE_IGNORE_ORPHANS=true"}, "-f", file, "up", "-d"); err != nil || strings.Contains(errs, orphanWarning) {
		t.Errorf("COMPOSE_IGNORE_ORPHANS=true up -d = %v, stderr %q; want no warning", err, errs)
	}
	_, errs, err := e.berthEnv([]string{"COMPOSE_IGNORE_ORPHANS=1"}, "-f", file, "up", "-d", "--remove-orphans")
	if err == nil || !strings.Contains(errs, "cannot combine COMPOSE_IGNORE_ORPHANS and --remove-orphans") {
		t.Errorf("COMPOSE_IGNORE_ORPHANS=1 up --remove-orphans = %v, stderr %q; want Compose's error", err, errs)
	}
	if _, errs, err := e.berthEnv([]string{"COMPOSE_REMOVE_ORPHANS=y"}, "-f", file, "up", "-d"); err != nil || strings.Contains(errs, orphanWarning) {
		t.Errorf("COMPOSE_REMOVE_ORPHANS=y up -d = %v, stderr %q", err, errs)
	}
	if got := ps("-a", "--format", "{{.Service}}"); got != "web\n" {
		t.Errorf("ps -a after COMPOSE_REMOVE_ORPHANS=y up = %q, want only web", got)
	}
}

func TestE2ERunFlags(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	compose := `services:
  db: {image: bte-busybox, command: ["sleep", "3600"], stop_signal: SIGKILL}
  app:
    image: bte-busybox
    stop_signal: SIGKILL
    depends_on: [db]
    labels: {tier: front}
    networks:
      default: {aliases: [www]}
`
	file := writeComposeIn(t, dir, compose+"  old: {image: bte-busybox, command: [\"sleep\", \"3600\"], stop_signal: SIGKILL}\n")
	e.mustBerth("-f", file, "up", "-d", "db", "old")
	writeComposeIn(t, dir, compose)

	// -q: no progress for the dependencies; the orphan warning still shows.
	out, errs, err := e.berth("-f", file, "run", "--rm", "-q", "app", "echo", "hi")
	if err != nil || out != "hi\n" || strings.Contains(errs, " Container ") || !strings.Contains(errs, orphanWarning) {
		t.Errorf("run -q = %v, stdout %q, stderr %q; want hi, the orphan warning and no progress", err, out, errs)
	}

	// Capabilities: Docker's default set is 0xa80425fb; +NET_ADMIN (bit 12), -CHOWN (bit 0).
	capEff := `while read k v; do [ "$k" = CapEff: ] && echo $v; done < /proc/self/status; true`
	if got := e.mustBerth("-f", file, "run", "--rm", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN", "app", "sh", "-c", capEff); got != "00000000a80435fa\n" {
		t.Errorf("run --cap-add NET_ADMIN --cap-drop CHOWN: CapEff = %q, want 00000000a80435fa", got)
	}

	// --env-from-file: -e wins over the file, whose ${A} sees -e's value.
	envFile := filepath.Join(dir, "run.env")
	os.WriteFile(envFile, []byte("A=file\nB=${A}-b\nC=c\n"), 0o644)
	if got := e.mustBerth("-f", file, "run", "--rm", "--env-from-file", envFile, "-e", "A=flag", "app", "sh", "-c", "echo $A $B $C"); got != "flag flag-b c\n" {
		t.Errorf("run --env-from-file -e = %q, want %q", got, "flag flag-b c\n")
	}

	// -l adds and overrides labels of the one-off container.
	name := e.project + "-labelled"
	e.mustBerth("-f", file, "run", "-d", "--name", name, "-l", "tier=back", "--label", "extra=1", "app", "sleep", "3600")
	if got := e.mustBerth("-f", file, "ps", "-a", "--format", `{{.Name}} {{.Label "tier"}} {{.Label "extra"}}`, "app"); !strings.Contains(got, name+" back 1\n") {
		t.Errorf("ps of run -l tier=back -l extra=1 = %q, want %s back 1", got, name)
	}

	// Without --use-aliases only the one-off's own names resolve; with it, the
	// service's name and network aliases too.
	lookup := func() error {
		_, _, err := e.berth("-f", file, "run", "--rm", "--no-deps", "app", "sh", "-c", "nslookup app && nslookup www")
		return err
	}
	if err := lookup(); err == nil {
		t.Errorf("nslookup app, www with only a one-off without --use-aliases succeeded, want a failure")
	}
	e.mustBerth("-f", file, "run", "-d", "--use-aliases", "app", "sleep", "3600")
	if err := lookup(); err != nil {
		t.Errorf("nslookup app, www with a one-off run --use-aliases: %v", err)
	}

	// --remove-orphans removes old while bringing up the dependencies.
	if _, errs, err := e.berth("-f", file, "run", "--rm", "--remove-orphans", "app", "true"); err != nil || strings.Contains(errs, orphanWarning) {
		t.Errorf("run --remove-orphans = %v, stderr %q", err, errs)
	}
	if got := e.mustBerth("-f", file, "ps", "-a", "--format", "{{.Service}}", "old"); got != "" {
		t.Errorf("ps old after run --remove-orphans = %q, want nothing", got)
	}
}

func TestE2EStartWait(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  db:
    image: bte-busybox
    command: ["sh", "-c", "rm -f /tmp/ready; sleep 0.5; echo ok > /tmp/ready; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "cat", "/tmp/ready"], interval: 100ms, retries: 100}
  never:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "false"], interval: 100ms, retries: 1000}
`)
	e.mustBerth("-f", file, "up", "-d", "db")
	e.mustBerth("-f", file, "stop")
	_, errs, err := e.berth("-f", file, "start", "--wait", "db")
	if err != nil || !strings.Contains(errs, "Container "+e.project+"-db-1  Healthy") {
		t.Fatalf("start --wait db = %v, stderr %q; want db Healthy", err, errs)
	}
	if got := e.mustBerth("-f", file, "ps", "--format", "{{.Status}}", "db"); !strings.Contains(got, "(healthy)") {
		t.Errorf("ps db right after start --wait = %q, want (healthy)", got)
	}

	e.mustBerth("-f", file, "up", "-d", "--no-start", "never")
	begin := time.Now()
	_, errs, err = e.berth("-f", file, "start", "--wait", "--wait-timeout", "1", "never")
	if err == nil || !strings.Contains(errs, "timed out after 1s") {
		t.Errorf("start --wait --wait-timeout 1 never = %v, stderr %q; want a timeout", err, errs)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("start --wait --wait-timeout 1 took %s", d)
	}
}

func TestE2EPullPolicyAndIncludeDeps(t *testing.T) {
	e := newE2E(t)
	img := "127.0.0.1:1/bte-local:1" // present in the store; its registry is not there
	e.mustBerth("image", "tag", "bte-busybox", img)
	file := writeCompose(t, `services:
  db: {image: "`+img+`"}
  web: {image: "`+img+`", depends_on: [db]}
`)
	skipped := func(svc string) string { return " Service " + svc + "  Skipped - Image is already present locally" }
	_, errs, err := e.berth("-f", file, "pull", "--policy", "missing", "web")
	if err != nil || !strings.Contains(errs, skipped("web")) || strings.Contains(errs, "Service db") {
		t.Errorf("pull --policy missing web = %v, stderr %q; want only web, skipped", err, errs)
	}
	_, errs, err = e.berth("-f", file, "pull", "--policy", "missing", "--include-deps", "web")
	if err != nil || !strings.Contains(errs, skipped("web")) || !strings.Contains(errs, skipped("db")) {
		t.Errorf("pull --policy missing --include-deps web = %v, stderr %q; want web and db skipped", err, errs)
	}
	if _, errs, err = e.berth("-f", file, "pull", "--policy", "always", "web"); exitCode(err) != 1 || !strings.Contains(errs, "Pulling") {
		t.Errorf("pull --policy always web = %v, stderr %q; want a pull that fails (no registry)", err, errs)
	}
	if _, errs, err = e.berth("-f", file, "pull", "--policy", "sometimes"); exitCode(err) != 1 || !strings.Contains(errs, `invalid --policy "sometimes"`) {
		t.Errorf("pull --policy sometimes = %v, stderr %q; want an error", err, errs)
	}
}

func TestE2EKillOrphans(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	file := writeComposeIn(t, dir, `services:
  web: {image: bte-busybox, command: ["sleep", "3600"]}
  old: {image: bte-busybox, command: ["sleep", "3600"]}
`)
	e.mustBerth("-f", file, "up", "-d")
	writeComposeIn(t, dir, "services:\n  web: {image: bte-busybox, command: [\"sleep\", \"3600\"]}\n")
	running := func() string { return e.mustBerth("-f", file, "ps", "--format", "{{.Service}}") }
	e.mustBerth("-f", file, "kill")
	// kill does not wait for the containers to exit.
	var got string
	if eventually(3*time.Second, func() bool { got = running(); return got == "old\n" }); got != "old\n" {
		t.Errorf("running after kill = %q, want old (an orphan) only", got)
	}
	if _, _, err := e.berthEnv([]string{"COMPOSE_REMOVE_ORPHANS=true"}, "-f", file, "kill"); err != nil {
		t.Fatalf("COMPOSE_REMOVE_ORPHANS=true kill: %v", err)
	}
	if eventually(3*time.Second, func() bool { got = running(); return got == "" }); got != "" {
		t.Errorf("running after COMPOSE_REMOVE_ORPHANS=true kill = %q, want nothing", got)
	}
}
