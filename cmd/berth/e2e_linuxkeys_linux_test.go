package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// hostHas reports whether path exists on the host.
func hostHas(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// linuxKeysCompose is a project using every resource, process, cgroup and mount key
// at once; realtime CPU time and block IO throttles only where the host has them.
func linuxKeysCompose(t *testing.T, parent string) (file, out string) {
	t.Helper()
	dir := t.TempDir()
	out = filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	// A shared mount, as Docker wants under an rslave bind.
	if err := unix.Mount(out, out, "", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(out, unix.MNT_DETACH) })
	if err := unix.Mount("", out, "", unix.MS_SHARED, ""); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "labels.env"), []byte("com.example.team=infra\ncom.example.own=file\n"), 0o644)
	extra := ""
	if hostHas("/sys/fs/cgroup/cpu/cpu.rt_runtime_us") {
		extra += "    cpu_rt_runtime: 10000\n    cpu_rt_period: 1000000\n"
	}
	if hostHas("/dev/loop0") {
		extra += "    blkio_config:\n      weight: 300\n      device_read_bps: [{path: /dev/loop0, rate: 1mb}]\n      device_write_iops: [{path: /dev/loop0, rate: 100}]\n"
	}
	script := "busybox id -G > /out/groups; cat /proc/self/oom_score_adj > /out/oom; busybox nproc > /out/nproc; " +
		"cat /proc/self/cgroup > /out/cgroup; cat /sub/file > /out/sub; busybox ls /img/bin > /out/img; " +
		"echo hidden; echo done > /out/done; exec sleep 300"
	content := fmt.Sprintf(`services:
  init:
    image: bte-busybox
    command: ["sh", "-c", "busybox mkdir -p /data/dir && echo inside > /data/dir/file"]
    volumes: [data:/data]
  app:
    image: bte-busybox
    depends_on: {init: {condition: service_completed_successfully}}
    command: ["sh", "-c", %q]
    group_add: ["4242"]
    cpuset: "0"
    mem_limit: 64m
    mem_reservation: 16m
    deploy: {resources: {reservations: {memory: 32m}}}
    mem_swappiness: 10
    oom_score_adj: 300
    oom_kill_disable: true
    cgroup_parent: %s
    cgroup: private
    userns_mode: host
    label_file: ./labels.env
    labels: {com.example.own: service}
    logging: {driver: none}
    healthcheck: {test: [CMD, "true"], interval: 1m, start_period: 10s, start_interval: 1s}
    volumes:
      - {type: bind, source: ./out, target: /out, bind: {propagation: rslave}}
      - {type: volume, source: data, target: /sub, volume: {subpath: dir}}
      - {type: image, source: bte-busybox, target: /img}
%svolumes:
  data: {}
`, script, parent, extra)
	file = filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, out
}

// TestE2ELinuxKeys brings up a service using every resource, process, cgroup and
// mount key of issue 19 at once, observes each effect (in the container's own view,
// in cgroupfs, in its recorded config), and checks that down leaves nothing, the
// service's own parent cgroup included.
func TestE2ELinuxKeys(t *testing.T) {
	e := newE2E(t).withPools("10.253.0.0/24", "10.253.1.0/24") // its own, beside other e2e runs
	parent := e.cgroup + "-own"
	file, out := linuxKeysCompose(t, parent)
	_, stderr, err := e.berth("-f", file, "up", "-d")
	if err != nil {
		t.Fatalf("up: %v\n%s", err, stderr)
	}
	for _, key := range []string{"group_add", "cpuset", "mem_reservation", "oom_score_adj", "cgroup_parent", "label_file", "logging", "volumes[2]", "userns_mode"} {
		if strings.Contains(stderr, "services.app."+key) {
			t.Errorf("up warned of %s:\n%s", key, stderr)
		}
	}
	t.Logf("up stderr:\n%s", stderr)
	weights := hostHas("/sys/fs/cgroup/blkio/blkio.weight") || hostHas("/sys/fs/cgroup/blkio/blkio.bfq.weight")
	if hostHas("/dev/loop0") && hostHas("/sys/fs/cgroup/blkio") && !weights && !strings.Contains(stderr, "services.app.blkio_config.weight: ") {
		t.Errorf("up did not warn that this host cannot weight block IO:\n%s", stderr)
	}
	if !eventually(10*time.Second, func() bool { return hostHas(filepath.Join(out, "done")) }) {
		t.Fatalf("the container did not finish its checks; up stderr:\n%s", stderr)
	}
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(out, name))
		return strings.TrimSpace(string(b))
	}
	if g := read("groups"); !strings.Contains(" "+g+" ", " 4242 ") {
		t.Errorf("id -G = %q, want group 4242 (group_add)", g)
	}
	if got := read("oom"); got != "300" {
		t.Errorf("oom_score_adj = %q, want 300", got)
	}
	if got := read("nproc"); got != "1" {
		t.Errorf("nproc = %q, want 1 (cpuset 0)", got)
	}
	for _, l := range strings.Split(read("cgroup"), "\n") {
		if !strings.HasSuffix(l, ":/") {
			t.Errorf("/proc/self/cgroup line %q, want / (cgroup: private)", l)
		}
	}
	if got := read("sub"); got != "inside" {
		t.Errorf("subpath file = %q, want inside", got)
	}
	if got := read("img"); !strings.Contains(got, "busybox") {
		t.Errorf("ls of the image mount = %q, want busybox", got)
	}
	// What the host mounts under the shared source reaches the rslave bind.
	sub := filepath.Join(out, "mnt")
	os.Mkdir(sub, 0o755)
	if err := unix.Mount("tmpfs", sub, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	defer unix.Unmount(sub, unix.MNT_DETACH)
	os.WriteFile(filepath.Join(sub, "marker"), []byte("propagated\n"), 0o644)
	if got := e.mustBerth("-f", file, "exec", "-T", "app", "cat", "/out/mnt/marker"); got != "propagated\n" {
		t.Errorf("the host's new mount in the container = %q, want propagated (rslave)", got)
	}
	id := strings.TrimSpace(e.mustBerth("-f", file, "ps", "-q", "app"))
	e.checkLinuxKeysConfig(id)
	e.checkLinuxKeysCgroups(parent, id)
	// As Compose: a warning for the container without a log, the others' logs, success.
	if out, errs, err := e.berth("-f", file, "logs"); err != nil || !strings.Contains(errs, "configured logging driver does not support reading") ||
		strings.Contains(out, "hidden") {
		t.Errorf("logs = %v, stdout %q, stderr %q; want success and a warning of the none driver", err, out, errs)
	}
	if _, err := os.Stat(filepath.Join(e.root, "containers", id, "container.log")); err == nil {
		t.Errorf("container.log exists with logging driver none")
	}
	// An attached run shows its output whatever the log driver, as Docker's.
	if got := e.mustBerth("-f", file, "run", "--rm", "--no-deps", "app", "echo", "visible"); got != "visible\n" {
		t.Errorf("run --rm app echo visible = %q, want its output", got)
	}
	e.mustBerth("-f", file, "down", "-v", "-t", "1")
	e.assertNoLeaks()
	for _, c := range []string{"cpu", "memory", "pids", "cpuset", "blkio", "unified", ""} {
		if d := filepath.Join("/sys/fs/cgroup", c, parent); hostHas(d) {
			t.Errorf("cgroup %s left after down", d)
		}
	}
}

// checkLinuxKeysConfig reads the container's recorded engine config: labels from
// label_file under the service's own.
func (e *e2e) checkLinuxKeysConfig(id string) {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.root, "containers", id, "config.json"))
	if err != nil {
		e.t.Fatalf("config of %q: %v", id, err)
	}
	var spec struct{ Labels map[string]string }
	json.Unmarshal(b, &spec)
	if spec.Labels["com.example.team"] != "infra" || spec.Labels["com.example.own"] != "service" {
		e.t.Errorf("labels = %v, want com.example.team=infra (label_file) and com.example.own=service", spec.Labels)
	}
}

// checkLinuxKeysCgroups reads the container's cgroup files under its own parent, on a
// host with the v1 hierarchies (cgroup v2 has no swappiness or OOM-killer files).
func (e *e2e) checkLinuxKeysCgroups(parent, id string) {
	e.t.Helper()
	if !hostHas("/sys/fs/cgroup/memory/memory.soft_limit_in_bytes") {
		e.t.Log("no cgroup v1 memory hierarchy: cgroup files not checked here (engine tests do, on v2 too)")
		return
	}
	want := map[string]string{
		"memory/memory.soft_limit_in_bytes": "33554432", // deploy.resources.reservations.memory wins
		"memory/memory.swappiness":          "10",
		"cpuset/cpuset.cpus":                "0",
	}
	if hostHas("/sys/fs/cgroup/cpu/cpu.rt_runtime_us") {
		want["cpu/cpu.rt_runtime_us"] = "10000"
	}
	if hostHas("/dev/loop0") {
		want["blkio/blkio.throttle.read_bps_device"] = "7:0 1048576"
		want["blkio/blkio.throttle.write_iops_device"] = "7:0 100"
	}
	for f, v := range want {
		ctrl, name, _ := strings.Cut(f, "/")
		b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", ctrl, parent, id, name))
		if got := strings.TrimSpace(string(b)); err != nil || got != v {
			e.t.Errorf("%s = %q, %v; want %q", f, got, err, v)
		}
	}
	b, _ := os.ReadFile(filepath.Join("/sys/fs/cgroup/memory", parent, id, "memory.oom_control"))
	if !strings.Contains(string(b), "oom_kill_disable 1") {
		e.t.Errorf("memory.oom_control = %q, want oom_kill_disable 1", b)
	}
}
