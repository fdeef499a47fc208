package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// realstackScenario runs examples/realstack as its README section says: base.sh makes
// debian:bookworm with debootstrap (cached across runs), `up -d --wait` builds
// PostgreSQL, Redis, nginx and a Flask app with apt-get and starts them in dependency
// order (the one-shot migration before the app's two replicas). Requests go nginx ->
// app -> postgres (password from a file secret) and redis, served by both replicas.
// Stopping db sends the image's STOPSIGNAL (SIGINT: PostgreSQL's fast shutdown, exit 0,
// not a SIGKILL after the grace period); `up` brings it back with its data, and so do
// `down` and `up` (the named volume stays; Redis's counter, in no volume, starts again).
// Every request must succeed at once: a 500 is the app failing, for example to resolve a
// name (as it did for up to a minute after an up while the gateway's MAC could move).
// apt's downloads are kept between runs (keepCacheMounts).
func realstackScenario(e *e2e, file string) {
	t := e.t
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Fatalf("examples/realstack needs debootstrap (scripts/install-deps.sh installs it): %v", err)
	}
	keepCacheMounts(e)
	base := exec.Command(filepath.Join(filepath.Dir(file), "base.sh"))
	base.Env = append(e.env, "BERTH="+e.bin)
	if out, err := base.CombinedOutput(); err != nil {
		t.Fatalf("base.sh: %v\n%s", err, out)
	}
	port := freePort(t)
	e.env = append(e.env, "REALSTACK_PORT="+port)
	up := func(when string) {
		t.Helper()
		if _, errs, err := e.berth("-f", file, "up", "-d", "--wait"); err != nil {
			t.Fatalf("up -d --wait (%s): %v\n%s", when, err, errs)
		}
	}
	get := func(want, when string) {
		t.Helper()
		url := "http://127.0.0.1:" + port + "/"
		if got := e.httpGet(url); got != want {
			logs, _, _ := e.berth("-f", file, "logs", "--tail", "30", "app", "web")
			t.Errorf("GET %s (%s) = %q, want %q; app and web logs:\n%s", url, when, got, want, logs)
		}
	}
	psql := func(query string) string {
		t.Helper()
		return strings.TrimSpace(e.mustBerth("-f", file, "exec", "-T", "db", "psql", "-U", "postgres", "-tAc", query))
	}

	up("first")
	if ps := e.psList(file, "migrate"); len(ps) != 1 || ps[0]["ExitCode"] != float64(0) {
		t.Errorf("migrate = %v, want exited 0 before the app started", ps)
	}
	if ps := e.psList(file, "app"); len(ps) != 2 {
		t.Errorf("app containers = %d, want 2 replicas", len(ps))
	}
	for i, want := range []string{"hits=1 visits=1\n", "hits=2 visits=2\n", "hits=3 visits=3\n", "hits=4 visits=4\n"} {
		get(want, "request "+string(rune('1'+i)))
	}
	if got := psql("SELECT count(DISTINCT served_by) FROM visits"); got != "2" {
		t.Errorf("replicas that served the 4 requests = %s, want 2 (nginx spreads over app's two addresses)", got)
	}

	e.mustBerth("-f", file, "stop", "db")
	if ps := e.psList(file, "db"); len(ps) != 1 || ps[0]["ExitCode"] != float64(0) {
		t.Errorf("db after stop = %v, want exited 0 (postgres stopped by SIGINT, not killed)", ps)
	}
	if logs := e.mustBerth("-f", file, "logs", "db"); !strings.Contains(logs, "received fast shutdown request") || !strings.Contains(logs, "database system is shut down") {
		t.Errorf("db logs lack postgres's clean fast shutdown (the image's STOPSIGNAL SIGINT):\n%s", logs)
	}
	up("after stop db")
	get("hits=5 visits=5\n", "after db started again")
	if got := psql("SELECT count(*) FROM visits"); got != "5" {
		t.Errorf("visits in postgres = %s, want 5", got)
	}

	e.mustBerth("-f", file, "down", "-t", "10")
	up("after down")
	for i, want := range []string{"hits=1 visits=6\n", "hits=2 visits=7\n", "hits=3 visits=8\n"} {
		get(want, "request "+string(rune('1'+i))+" after down and up")
	}
	if got := psql("SELECT count(*) FROM visits"); got != "8" {
		t.Errorf("visits in postgres after down and up = %s, want 8 (the volume kept them)", got)
	}
}

// keepCacheMounts points the build cache mounts of the test's temporary root
// (images/buildcache/mounts, RUN --mount=type=cache) at a directory kept between runs,
// beside base.sh's Debian rootfs in BERTH_EXAMPLES_CACHE (default
// /var/cache/berth-examples): apt's package lists and downloads are fetched once, not
// on every run. Several runs at once share it as builds of one root do (sharing=locked).
func keepCacheMounts(e *e2e) {
	t := e.t
	t.Helper()
	dir := os.Getenv("BERTH_EXAMPLES_CACHE")
	if dir == "" {
		dir = "/var/cache/berth-examples"
	}
	kept := filepath.Join(dir, "build-cache-mounts")
	buildcache := filepath.Join(e.root, "images", "buildcache")
	for _, d := range []string{kept, buildcache} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatalf("keep build cache mounts: %v", err)
		}
	}
	if err := os.Symlink(kept, filepath.Join(buildcache, "mounts")); err != nil {
		t.Fatalf("keep build cache mounts: %v", err)
	}
}
