package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestE2EDNSWhileBridgePortsChange: a container keeps resolving service names through
// the embedded DNS while other ports join and leave its network's bridge, as other
// containers' veths do during an up, a scale or a down of another service. A bridge
// without a MAC of its own took its ports' lowest, so a port with a lower MAC moved the
// gateway's MAC; a container that had resolved the gateway kept sending its queries to
// the old one, which the host dropped, and its lookups failed ("Temporary failure in
// name resolution") until its ARP entry expired, up to a minute (issue 18). The ports
// here are veths the test adds with MACs below any random one, so it does not depend on
// the luck of the draw.
func TestE2EDNSWhileBridgePortsChange(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  svc:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  client:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-f", file, "up", "-d")
	bridge := e.bridge()
	lookup := func(when string) {
		t.Helper()
		start := time.Now()
		out, errs, err := e.berth("-f", file, "exec", "-T", "client", "nslookup", "svc")
		// busybox's nslookup waits 5 s for a lost answer; exec itself takes well under 2 s.
		if took := time.Since(start); err != nil || !strings.Contains(out, "Address") || took > 2*time.Second {
			t.Errorf("nslookup svc from client %s = %q, %q, %v after %v; want an answer at once",
				when, out, errs, err, took.Round(time.Millisecond))
		}
	}
	e.addBridgePort(bridge, "xa", "02:00:00:00:00:10") // an earlier container's port
	lookup("at first")                                 // the client resolves the gateway's MAC
	e.addBridgePort(bridge, "xb", "02:00:00:00:00:01") // a later one's, with a lower MAC
	lookup("after a port with a lower MAC joined the bridge")
	e.removeLink(e.prefix + "xa")
	lookup("after a port left the bridge")
	e.mustBerth("-f", file, "down", "-t", "1")
}

// bridge is the name of the one bridge of this test's project.
func (e *e2e) bridge() string {
	e.t.Helper()
	out, err := exec.Command("ip", "-o", "link", "show", "type", "bridge").Output()
	if err != nil {
		e.t.Fatalf("ip link show type bridge: %v", err)
	}
	var mine []string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 1 && strings.HasPrefix(f[1], e.prefix) {
			mine = append(mine, strings.TrimSuffix(f[1], ":"))
		}
	}
	if len(mine) != 1 {
		e.t.Fatalf("bridges of this test = %q, want one", mine)
	}
	return mine[0]
}

// addBridgePort adds a veth pair <prefix><name>, <prefix><name>p whose first end, with
// MAC mac, joins bridge; the test's cleanup removes it.
func (e *e2e) addBridgePort(bridge, name, mac string) {
	e.t.Helper()
	link := e.prefix + name
	if out, err := exec.Command("ip", "link", "add", link, "address", mac, "master", bridge,
		"type", "veth", "peer", "name", link+"p").CombinedOutput(); err != nil {
		e.t.Fatalf("add veth %s to %s: %v: %s", link, bridge, err, out)
	}
	e.t.Cleanup(func() { e.removeLink(link) })
}

// removeLink deletes the link name; a missing one is fine.
func (e *e2e) removeLink(name string) {
	if out, err := exec.Command("ip", "link", "del", name).CombinedOutput(); err != nil && !strings.Contains(string(out), "Cannot find device") {
		e.t.Errorf("ip link del %s: %v: %s", name, err, out)
	}
}
