package main

import (
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
