package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeCDISpec is a CDI spec of the kind nvidia.com/gpu whose devices are fake nodes
// (char 1:3, /dev/null's numbers) under the test's dir, with a library mount and an
// environment variable, as a vendor's spec gives them.
const fakeCDISpec = `cdiVersion: "0.6.0"
kind: nvidia.com/gpu
containerEdits:
  env: ["FAKE_GPU_DRIVER=535"]
  mounts:
    - {hostPath: "DIR/libfake.so", containerPath: /usr/lib/libfake.so, options: [ro, bind]}
devices:
  - name: "0"
    containerEdits:
      deviceNodes: [{path: /dev/nvidia0, hostPath: "DIR/gpu0"}]
  - name: "1"
    containerEdits:
      deviceNodes: [{path: /dev/nvidia1, hostPath: "DIR/gpu1"}]
  - name: all
    containerEdits:
      deviceNodes: [{path: /dev/nvidia0, hostPath: "DIR/gpu0"}, {path: /dev/nvidia1, hostPath: "DIR/gpu1"}]
`

const gpuCompose = `services:
  all:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    gpus: all
  one:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
`

// gpus: and GPU device requests give the container the devices of the host's CDI
// specs (device nodes, mounts, environment), as Docker with CDI does; without specs
// up refuses, naming the service and the request's place, before making anything.
func TestE2EGPUsThroughCDI(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	for _, n := range []string{"gpu0", "gpu1"} {
		if err := unix.Mknod(filepath.Join(dir, n), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
			t.Fatalf("mknod: %v", err)
		}
	}
	os.WriteFile(filepath.Join(dir, "libfake.so"), []byte("fake driver\n"), 0o644)
	specs := t.TempDir()
	os.WriteFile(filepath.Join(specs, "nvidia.yaml"), []byte(strings.ReplaceAll(fakeCDISpec, "DIR", dir)), 0o644)
	file := writeCompose(t, gpuCompose)

	empty := t.TempDir()
	_, stderr, err := e.berthEnv([]string{"BERTH_CDI_SPEC_DIRS=" + empty}, "-f", file, "up", "-d")
	if err == nil || !strings.Contains(stderr, `compose.yaml:6:11: services.all.gpus[0]: service "all": no CDI device "nvidia.com/gpu=all"`) ||
		!strings.Contains(stderr, `services.one.deploy.resources.reservations.devices[0]: service "one": 1 nvidia.com/gpu devices asked for, 0`) {
		t.Errorf("up without CDI specs: %v\n%s\nwant errors naming each service at its request", err, stderr)
	}
	if len(e.psList(file)) != 0 {
		t.Errorf("up without CDI specs made containers")
	}

	e.env = append(e.env, "BERTH_CDI_SPEC_DIRS="+specs)
	e.mustBerth("-f", file, "up", "-d")
	sh := func(service, script string) string {
		return e.mustBerth("-f", file, "exec", "-T", service, "sh", "-c", script)
	}
	if got := sh("all", "busybox stat -c '%n %t:%T' /dev/nvidia0 /dev/nvidia1; echo gpu > /dev/nvidia0 && echo written"); got != "/dev/nvidia0 1:3\n/dev/nvidia1 1:3\nwritten\n" {
		t.Errorf("all's GPUs = %q, want both fake nodes, writable", got)
	}
	if got := sh("all", "echo $FAKE_GPU_DRIVER; cat /usr/lib/libfake.so"); got != "535\nfake driver\n" {
		t.Errorf("all's driver env and library = %q, want the spec's", got)
	}
	if got := sh("one", "ls /dev | busybox grep nvidia"); got != "nvidia0\n" {
		t.Errorf("one's GPUs = %q, want the first only", got)
	}
}
