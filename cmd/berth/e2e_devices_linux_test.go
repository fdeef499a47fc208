package main

import (
	"os"
	"strings"
	"testing"
)

// TestE2EDeviceCgroupRules: a service's device_cgroup_rules and devices open what they
// allow, and the rest of the host's devices stay closed to the container's root, which
// can make any node (CAP_MKNOD) but not open it.
func TestE2EDeviceCgroupRules(t *testing.T) {
	for _, p := range []string{"/dev/loop-control", "/dev/loop0", "/dev/net/tun"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("skipping: host has no %s: %v", p, err)
		}
	}
	e := newMiscE2E(t)
	file := writeCompose(t, `services:
  app:
    image: bte-busybox
    network_mode: none
    device_cgroup_rules: ["c 10:237 r"]
    devices: ["/dev/net/tun"]
    command: ["sh", "-c", "busybox mknod /tmp/lc c 10 237 && (exec 3</tmp/lc) && echo lc-read;
      (exec 3>/tmp/lc) 2>/dev/null || echo lc-write-denied;
      (exec 3<>/dev/net/tun) && echo tun;
      busybox mknod /tmp/loop b 7 0 && (exec 3</tmp/loop) 2>/dev/null || echo loop-denied"]
`)
	out, errs, err := e.berth("-f", file, "run", "--rm", "app")
	if want := "lc-read\nlc-write-denied\ntun\nloop-denied\n"; err != nil || out != want {
		t.Errorf("run app = %q, %v (stderr %q); want %q", out, err, errs, want)
	}
	if strings.Contains(errs, "device_cgroup_rules") {
		t.Errorf("stderr warns of device_cgroup_rules: %q", errs)
	}
}
