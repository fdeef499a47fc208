package main

import (
	"fmt"
	mathrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sidecarCompose is web serving "web" on 8080 and publishing 8081, and side, in web's
// network namespace, serving "side" on 8081. GEN changes web's config.
const sidecarCompose = `services:
  web:
    image: bte-busybox
    command: ["sh", "-c", "echo web > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
    ports: ["127.0.0.1:${PORT}:8081"]
    environment: {GEN: "${GEN:-1}"}
    stop_signal: SIGKILL
  side:
    image: bte-busybox
    network_mode: service:web
    command: ["sh", "-c", "echo side > /tmp/index.html; exec httpd -f -p 8081 -h /tmp"]
    stop_signal: SIGKILL
  lonely:
    image: bte-busybox
    network_mode: none
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  buddy:
    image: bte-busybox
    network_mode: service:lonely
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`

// network_mode: service:X runs the container in X's network namespace, as Docker
// does: X's published port serves it, both share the loopback, the addresses, the
// hostname and X's DNS; a new container of X recreates it.
func TestE2ENetworkModeService(t *testing.T) {
	e := newE2E(t)
	port := freePort(t)
	e.env = append(e.env, "PORT="+port)
	file := writeCompose(t, sidecarCompose)
	e.mustBerth("-f", file, "up", "-d")
	e.checkSidecar(file, port)
	// A container without a persistent network namespace (network_mode: none) is
	// joined through its PID 1's.
	netns := func(service string) string {
		return e.mustBerth("-f", file, "exec", "-T", service, "busybox", "readlink", "/proc/self/ns/net")
	}
	if lonely, buddy := netns("lonely"), netns("buddy"); lonely != buddy {
		t.Errorf("buddy's network namespace = %s, want lonely's %s", buddy, lonely)
	}

	before := e.mustBerth("-f", file, "ps", "-q", "side")
	e.env = append(e.env, "GEN=2")
	e.mustBerth("-f", file, "up", "-d")
	if after := e.mustBerth("-f", file, "ps", "-q", "side"); after == before {
		t.Errorf("side's container after web was recreated = %q, want a new one", after)
	}
	e.checkSidecar(file, port)

	// container:NAME joins a container of another project by its name.
	other := e.project + "b"
	t.Cleanup(func() { e.berth("-p", other, "down", "-t", "1") })
	file2 := writeCompose(t, `services:
  peer:
    image: bte-busybox
    network_mode: container:`+e.project+`-web-1
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-p", other, "-f", file2, "up", "-d")
	if got := e.mustBerth("-p", other, "-f", file2, "exec", "-T", "peer", "wget", "-qO-", "http://127.0.0.1:8081/index.html"); got != "side\n" {
		t.Errorf("peer: GET 127.0.0.1:8081 = %q, want side's %q", got, "side\n")
	}
	e.mustBerth("-p", other, "-f", file2, "down", "-t", "1")
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// checkSidecar checks that side runs in web's network namespace.
func (e *e2e) checkSidecar(file, port string) {
	e.t.Helper()
	if got := e.httpGet("http://127.0.0.1:" + port + "/index.html"); got != "side\n" {
		e.t.Errorf("GET web's published port = %q, want side's %q", got, "side\n")
	}
	if got := e.mustBerth("-f", file, "exec", "-T", "side", "wget", "-qO-", "http://127.0.0.1:8080/index.html"); got != "web\n" {
		e.t.Errorf("side: GET 127.0.0.1:8080 = %q, want web's %q", got, "web\n")
	}
	webAddr := e.mustBerth("-f", file, "exec", "-T", "web", "busybox", "ip", "-4", "-o", "addr")
	if sideAddr := e.mustBerth("-f", file, "exec", "-T", "side", "busybox", "ip", "-4", "-o", "addr"); sideAddr != webAddr {
		e.t.Errorf("side's addresses = %q, want web's %q", sideAddr, webAddr)
	}
	webHost := e.mustBerth("-f", file, "exec", "-T", "web", "busybox", "hostname")
	if sideHost := e.mustBerth("-f", file, "exec", "-T", "side", "busybox", "hostname"); sideHost != webHost {
		e.t.Errorf("side's hostname = %q, want web's %q", sideHost, webHost)
	}
	out := e.mustBerth("-f", file, "exec", "-T", "side", "nslookup", "web")
	i := strings.LastIndex(out, "Address: ")
	if i < 0 {
		e.t.Errorf("side: nslookup web = %q, want an address", out)
		return
	}
	if addr := strings.Fields(out[i+len("Address: "):])[0]; !strings.Contains(webAddr, " "+addr+"/") {
		e.t.Errorf("side: nslookup web = %s, want the shared address in %q", addr, webAddr)
	}
}

// pid, ipc and uts take effect as with Docker: service:X joins the namespaces of X's
// container (its processes, its /dev/shm), host those of the host.
func TestE2ESharedNamespaces(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sh", "-c", "echo hi > /dev/shm/mark; exec sleep 3601"]
    ipc: shareable
    stop_signal: SIGKILL
  debug:
    image: bte-busybox
    pid: service:app
    ipc: service:app
    command: ["sh", "-c", "sleep ${MARK}1 & exec sleep 3600"]
    stop_signal: SIGKILL
  hostns:
    image: bte-busybox
    pid: host
    ipc: host
    uts: host
    command: ["sh", "-c", "sleep ${MARK}2 & exec sleep 3600"]
    stop_signal: SIGKILL
  noshm:
    image: bte-busybox
    ipc: none
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	// The background sleeps, not in a pid namespace of their own container, go with
	// its main process, as with Docker (containerd kills what is left in the cgroup).
	mark := fmt.Sprint(100000 + mathrand.IntN(800000))
	e.env = append(e.env, "MARK="+mark)
	e.mustBerth("-f", file, "up", "-d")
	ns := func(service, kind string) string {
		return strings.TrimSpace(e.mustBerth("-f", file, "exec", "-T", service, "busybox", "readlink", "/proc/self/ns/"+kind))
	}
	for _, kind := range []string{"pid", "ipc"} {
		if app, debug := ns("app", kind), ns("debug", kind); app != debug {
			t.Errorf("debug's %s namespace = %s, want app's %s", kind, debug, app)
		}
	}
	if got := e.mustBerth("-f", file, "exec", "-T", "debug", "cat", "/proc/1/cmdline"); got != "sleep\x003601\x00" {
		t.Errorf("debug: /proc/1/cmdline = %q, want app's command", got)
	}
	if got := e.mustBerth("-f", file, "exec", "-T", "debug", "cat", "/dev/shm/mark"); got != "hi\n" {
		t.Errorf("debug: /dev/shm/mark = %q, want app's %q", got, "hi\n")
	}
	for _, kind := range []string{"pid", "ipc", "uts"} {
		host, err := os.Readlink("/proc/self/ns/" + kind)
		if err != nil {
			t.Fatal(err)
		}
		if got := ns("hostns", kind); got != host {
			t.Errorf("hostns' %s namespace = %s, want the host's %s", kind, got, host)
		}
		if got := ns("app", kind); got == host {
			t.Errorf("app's %s namespace is the host's", kind)
		}
	}
	if out, _, err := e.berth("-f", file, "exec", "-T", "noshm", "busybox", "ls", "-d", "/dev/shm"); err == nil {
		t.Errorf("noshm (ipc: none) has a /dev/shm: %q", out)
	}
	if ns("noshm", "ipc") == ns("app", "ipc") {
		t.Errorf("noshm (ipc: none) shares app's ipc namespace")
	}
	host, _ := os.Hostname()
	if got := strings.TrimSpace(e.mustBerth("-f", file, "exec", "-T", "hostns", "busybox", "hostname")); got != host {
		t.Errorf("hostns' hostname = %q, want the host's %q", got, host)
	}
	if got := e.mustBerth("-f", file, "exec", "-T", "hostns", "cat", "/etc/hostname"); got != host+"\n" {
		t.Errorf("hostns' /etc/hostname = %q, want the host's %q", got, host+"\n")
	}
	e.mustBerth("-f", file, "stop", "-t", "1", "debug")
	if got := sleeping(mark + "1"); len(got) > 0 {
		t.Errorf("debug's background sleep left running after stop: pids %v", got)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
	if got := sleeping(mark + "2"); len(got) > 0 {
		t.Errorf("hostns' background sleep left running after down: pids %v", got)
	}
	if now, _ := os.Hostname(); now != host {
		t.Errorf("host's hostname after down = %q, want %q unchanged", now, host)
	}

	// As Docker, only a shareable ipc namespace can be joined.
	private := writeCompose(t, `services:
  app:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  debug:
    image: bte-busybox
    ipc: service:app
    command: ["sleep", "3600"]
`)
	if _, errs, err := e.berth("-f", private, "up", "-d"); err == nil || !strings.Contains(errs, "not shareable") {
		t.Errorf("up joining a private ipc namespace = %v, stderr %q; want an error saying it is not shareable", err, errs)
	}
	e.mustBerth("-f", private, "down", "-t", "1")
	e.assertNoLeaks()
}

// volumes_from mounts the source's named and anonymous volumes and binds at the same
// paths, read-only with :ro, as with Docker; a new container of the source recreates
// the service, which then finds the anonymous volume the new one took over.
func TestE2EVolumesFrom(t *testing.T) {
	e := newE2E(t)
	bind := t.TempDir()
	if err := os.WriteFile(bind+"/f", []byte("bind\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.env = append(e.env, "BINDDIR="+bind)
	file := writeCompose(t, `services:
  data:
    image: bte-busybox
    command: ["sleep", "3600"]
    volumes: ["named:/named", "/anon", "${BINDDIR}:/bind"]
    environment: {GEN: "${GEN:-1}"}
    stop_signal: SIGKILL
  reader:
    image: bte-busybox
    volumes_from: ["data:ro"]
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  writer:
    image: bte-busybox
    volumes_from: ["data"]
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
volumes:
  named:
`)
	e.mustBerth("-f", file, "up", "-d")
	e.mustBerth("-f", file, "exec", "-T", "data", "sh", "-c", "echo named > /named/f; echo anon > /anon/f")
	for _, f := range []string{"named", "anon", "bind"} {
		if got := e.mustBerth("-f", file, "exec", "-T", "reader", "cat", "/"+f+"/f"); got != f+"\n" {
			t.Errorf("reader: /%s/f = %q, want data's %q", f, got, f+"\n")
		}
	}
	if _, _, err := e.berth("-f", file, "exec", "-T", "reader", "sh", "-c", "echo x > /anon/x"); err == nil {
		t.Errorf("reader wrote in a volume it has read-only (volumes_from data:ro)")
	}
	e.mustBerth("-f", file, "exec", "-T", "writer", "sh", "-c", "echo w > /anon/w")
	if got := e.mustBerth("-f", file, "exec", "-T", "data", "cat", "/anon/w"); got != "w\n" {
		t.Errorf("data: /anon/w = %q, want writer's %q", got, "w\n")
	}

	// container:NAME takes the volumes of a container of another project.
	other := e.project + "b"
	t.Cleanup(func() { e.berth("-p", other, "down", "-t", "1") })
	file2 := writeCompose(t, `services:
  peer:
    image: bte-busybox
    volumes_from: ["container:`+e.project+`-data-1"]
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-p", other, "-f", file2, "up", "-d")
	if got := e.mustBerth("-p", other, "-f", file2, "exec", "-T", "peer", "cat", "/named/f"); got != "named\n" {
		t.Errorf("peer: /named/f = %q, want %q", got, "named\n")
	}
	e.mustBerth("-p", other, "-f", file2, "down", "-t", "1")

	before := e.mustBerth("-f", file, "ps", "-q", "reader")
	e.env = append(e.env, "GEN=2")
	e.mustBerth("-f", file, "up", "-d")
	if after := e.mustBerth("-f", file, "ps", "-q", "reader"); after == before {
		t.Errorf("reader's container after data was recreated = %q, want a new one", after)
	}
	if got := e.mustBerth("-f", file, "exec", "-T", "reader", "cat", "/anon/w"); got != "w\n" {
		t.Errorf("reader after data's recreation: /anon/w = %q, want %q", got, "w\n")
	}
	e.mustBerth("-f", file, "down", "-v", "-t", "1")
	e.assertNoLeaks()
}

// sleeping lists the host pids of the processes running `sleep arg`.
func sleeping(arg string) []string {
	var out []string
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		if b, err := os.ReadFile(d); err == nil && string(b) == "sleep\x00"+arg+"\x00" {
			out = append(out, filepath.Base(filepath.Dir(d)))
		}
	}
	return out
}
