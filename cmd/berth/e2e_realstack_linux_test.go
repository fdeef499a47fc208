package main

import (
	"os/exec"
	"path/filepath"
	"strings"
)

// realstackScenario runs examples/realstack as its README section says: base.sh makes
// debian:bookworm with debootstrap (cached across runs), `up -d --wait` builds
// PostgreSQL, Redis, nginx and a Flask app with apt-get and starts them in
// dependency order; a request goes nginx -> app -> postgres and redis. Stopping db
// sends the image's STOPSIGNAL (SIGINT: PostgreSQL's fast shutdown, exit 0, not a
// SIGKILL after the grace period), and `up` again brings the stack back with its data.
func realstackScenario(e *e2e, file string) {
	t := e.t
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Fatalf("examples/realstack needs debootstrap (scripts/install-deps.sh installs it): %v", err)
	}
	base := exec.Command(filepath.Join(filepath.Dir(file), "base.sh"))
	base.Env = append(e.env, "BERTH="+e.bin)
	if out, err := base.CombinedOutput(); err != nil {
		t.Fatalf("base.sh: %v\n%s", err, out)
	}
	port := freePort(t)
	e.env = append(e.env, "REALSTACK_PORT="+port)
	if _, errs, err := e.berth("-f", file, "up", "-d", "--wait"); err != nil {
		t.Fatalf("up -d --wait: %v\n%s", err, errs)
	}
	url := "http://127.0.0.1:" + port + "/"
	for _, want := range []string{"hits=1 visits=1\n", "hits=2 visits=2\n"} {
		if got := e.httpGet(url); got != want {
			t.Errorf("GET %s = %q, want %q", url, got, want)
		}
	}

	e.mustBerth("-f", file, "stop", "db")
	if ps := e.psList(file, "db"); len(ps) != 1 || ps[0]["ExitCode"] != float64(0) {
		t.Errorf("db after stop = %v, want exited 0 (postgres stopped by SIGINT, not killed)", ps)
	}
	if logs := e.mustBerth("-f", file, "logs", "db"); !strings.Contains(logs, "received fast shutdown request") {
		t.Errorf("db logs lack postgres's fast shutdown (the image's STOPSIGNAL SIGINT):\n%s", logs)
	}
	if _, errs, err := e.berth("-f", file, "up", "-d", "--wait"); err != nil {
		t.Fatalf("up -d --wait after stop: %v\n%s", err, errs)
	}
	if got := e.httpGet(url); got != "hits=3 visits=3\n" {
		t.Errorf("GET %s after db restarted = %q, want hits=3 visits=3 (data kept in the volume)", url, got)
	}
}
