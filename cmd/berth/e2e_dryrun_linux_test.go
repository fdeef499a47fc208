package main

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// planDone reads up's progress lines as the plan actions they carry out ("create
// container NAME", ...), sorted: services of a level start in parallel, so only the set
// is compared. A container removed and then created was recreated.
func planDone(progress string) []string {
	var out []string
	removed := map[string]bool{}
	created := map[string]bool{}
	for _, l := range strings.Split(progress, "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		kind, name, status := strings.ToLower(f[0]), f[1], f[2]
		switch {
		case kind != "container" && status == "Created":
			out = append(out, "create "+kind+" "+name)
		case kind != "container":
		case status == "Removed":
			removed[name] = true
		case status == "Created":
			created[name] = true
		case status == "Running":
			out = append(out, "keep container "+name)
		case status == "Started" && !created[name]:
			out = append(out, "start container "+name)
		}
	}
	for name := range created {
		if removed[name] {
			out = append(out, "recreate container "+name)
			delete(removed, name)
		} else {
			out = append(out, "create container "+name)
		}
	}
	for name := range removed {
		out = append(out, "remove container "+name)
	}
	slices.Sort(out)
	return out
}

// planActions is the printed plan without the reasons, sorted.
func planActions(plan string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(plan), "\n") {
		if l == "" {
			continue
		}
		if i := strings.Index(l, " ("); i >= 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// dryRunThenUp prints `up --dry-run`, runs `up -d` and fails unless up did exactly what
// the plan said; it returns the plan.
func (e *e2e) dryRunThenUp(file string, args ...string) string {
	e.t.Helper()
	plan := e.mustBerth(append([]string{"-f", file, "up", "--dry-run"}, args...)...)
	_, errs, err := e.berth(append([]string{"-f", file, "up", "-d"}, args...)...)
	if err != nil {
		e.t.Fatalf("up -d %v: %v\n%s", args, err, errs)
	}
	if want, got := planActions(plan), planDone(errs); !slices.Equal(want, got) {
		e.t.Errorf("up --dry-run %v printed\n%s\nbut up did %q (progress:\n%s)", args, plan, got, errs)
	}
	return plan
}

// TestE2EDryRunIsWhatUpDoes runs `up --dry-run` then `up` on a fresh project, an
// unchanged one, a changed service, a stopped service, a scaled one and with an orphan,
// and checks each time that up did what the dry run printed; an unchanged running
// project plans only "keep" (no missing containers, no volume to create).
func TestE2EDryRunIsWhatUpDoes(t *testing.T) {
	e := newE2E(t).withPools("10.233.0.0/16")
	compose := `services:
  db:
    image: bte-busybox
    command: ["sleep", "300"]
    init: true
    volumes: ["data:/data"]
  web:
    image: bte-busybox
    command: ["sleep", "300"]
    init: true
    environment: {V: "%s"}
    depends_on: [db]
volumes:
  data:
`
	file := writeCompose(t, strings.Replace(compose, "%s", "1", 1))
	plan := e.dryRunThenUp(file)
	if !strings.Contains(plan, "create volume "+e.project+"_data\n") || !strings.Contains(plan, "create network "+e.project+"_default\n") {
		t.Errorf("fresh plan = %q, want the network and the volume created", plan)
	}
	plan = e.dryRunThenUp(file)
	want := "keep container " + e.ctr("db") + "\nkeep container " + e.ctr("web") + "\n"
	if plan != want {
		t.Errorf("unchanged plan = %q, want %q", plan, want)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(compose, "%s", "2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if plan = e.dryRunThenUp(file); !strings.Contains(plan, "recreate container "+e.ctr("web")+" (config changed)") {
		t.Errorf("changed plan = %q, want web recreated", plan)
	}
	e.mustBerth("-f", file, "stop", "web")
	if !eventually(10*time.Second, func() bool { return e.psAll(file)[e.ctr("web")]["State"] == "exited" }) {
		t.Fatalf("web not exited after stop: %v", e.psAll(file)[e.ctr("web")])
	}
	e.dryRunThenUp(file)
	e.dryRunThenUp(file, "--scale", "web=2")
	e.dryRunThenUp(file, "--scale", "web=1")
	if err := os.WriteFile(file, []byte(strings.Replace(strings.Replace(compose, "%s", "2", 1), "  web:", "  www:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if plan = e.dryRunThenUp(file, "--remove-orphans"); !strings.Contains(plan, "remove container "+e.ctr("web")+" (orphan)") {
		t.Errorf("orphan plan = %q, want web removed", plan)
	}
	e.mustBerth("-f", file, "down", "-v", "-t", "1")
}
