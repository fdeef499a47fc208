package main

import (
	"fmt"
	mathrand "math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// attach: false keeps a service's output out of an attached up and out of logs
// without services named, as Compose; naming it (--attach, logs SERVICE) shows it.
func TestE2EAttachFalse(t *testing.T) {
	e := newAttachE2E(t)
	file := writeCompose(t, `services:
  loud:
    image: bte-busybox
    command: ["sh", "-c", "sleep 0.5; echo from-loud"]
  quiet:
    image: bte-busybox
    attach: false
    command: ["sh", "-c", "echo from-quiet"]
`)
	out, errs, code := e.berthCode("-f", file, "up")
	if code != 0 || !strings.Contains(out, "from-loud") || strings.Contains(out, "from-quiet") {
		t.Errorf("up = exit %d, stdout:\n%s\nstderr:\n%s\nwant loud's output, not quiet's (attach: false)", code, out, errs)
	}
	if _, line, _ := strings.Cut(errs, "Attaching to"); strings.Contains(strings.SplitN(line, "\n", 2)[0], "quiet") {
		t.Errorf("up attached to quiet:\n%s", errs)
	}
	if out := e.mustBerth("-f", file, "logs"); strings.Contains(out, "from-quiet") || !strings.Contains(out, "from-loud") {
		t.Errorf("logs = %q, want loud's output only", out)
	}
	if out := e.mustBerth("-f", file, "logs", "quiet"); !strings.Contains(out, "from-quiet") {
		t.Errorf("logs quiet = %q, want its output", out)
	}
	if out, _, _ := e.berthCode("-f", file, "up", "--attach", "quiet"); !strings.Contains(out, "from-quiet") {
		t.Errorf("up --attach quiet = %q, want its output", out)
	}
	e.mustBerth("-f", file, "down", "-t", "1")
	e.assertNoLeaks()
}

// allKeysCompose uses the keys of issue 19 at once: web carries the resource, process,
// cgroup, mount, hook, logging and addressing keys; side shares its network, PID and IPC
// namespaces; hostns the host's; reader takes web's volumes read-only; client links to
// web, private and the api of another project (on an external network) by aliases; journal logs to the journal and is not attached; gpu gets
// the fake CDI GPUs. Upper-case words are replaced by allKeysFile.
const allKeysCompose = `services:
  init:
    image: bte-busybox
    command: ["sh", "-c", "busybox mkdir -p /data/dir && echo inside > /data/dir/file"]
    volumes: [data:/data]
    network_mode: none
  web:
    image: bte-busybox
    depends_on: {init: {condition: service_completed_successfully}}
    command: ["sh", "-c", "SCRIPT"]
    ipc: shareable
    mac_address: "02:42:be:ef:01:01"
    ports: ["PORT:8080"]
    networks:
      front:
        ipv6_address: "V6::10"
        interface_name: front0
        link_local_ips: ["169.254.20.20"]
        priority: 10
        gw_priority: 5
      back: {aliases: [backweb]}
    group_add: ["4242"]
    cpuset: "0"
    mem_limit: 64m
    mem_reservation: 16m
    deploy: {resources: {reservations: {memory: 32m}}}
    mem_swappiness: 10
    oom_score_adj: 300
    oom_kill_disable: true
    device_cgroup_rules: ["c 10:237 r"]
    cgroup_parent: PARENT
    cgroup: private
    userns_mode: host
    label_file: ./labels.env
    labels: {com.example.own: service}
    logging: {driver: syslog, options: {syslog-address: "unixgram://SOCK", tag: allkeys}}
    healthcheck: {test: [CMD, "true"], interval: 1m, start_period: 30s, start_interval: 1s}
    post_start:
      - command: ["sh", "-c", "echo post_start $$(busybox id -u) >> /out/hooks"]
        user: "1000"
    pre_stop:
      - command: ["sh", "-c", "echo pre_stop >> /out/hooks"]
    volumes:
      - {type: bind, source: ./out, target: /out, bind: {propagation: rslave}}
      - {type: volume, source: data, target: /sub, volume: {subpath: dir}}
      - {type: image, source: bte-busybox, target: /img}
EXTRA  side:
    image: bte-busybox
    network_mode: service:web
    pid: service:web
    ipc: service:web
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  hostns:
    image: bte-busybox
    network_mode: none
    pid: host
    ipc: host
    uts: host
    cgroup: host
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  private:
    image: bte-busybox
    ipc: private
    networks: [back]
    logging: {driver: none}
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  reader:
    image: bte-busybox
    network_mode: none
    volumes_from: ["web:ro"]
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  client:
    image: bte-busybox
    networks: [back, edge]
    links: ["web:webalias"]
    external_links: ["PROJECT-private-1:ext", "PROJECT-owner-api-1:theirs"]
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  journal:
    image: bte-busybox
    attach: false
    networks: [front]
    logging: {driver: journald}
    command: ["sh", "-c", "echo to-journal; exec sleep 3600"]
    stop_signal: SIGKILL
  gpu:
    image: bte-busybox
    network_mode: none
    gpus: all
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
networks:
  front:
    enable_ipv6: true
    ipam:
      config:
        - {subnet: 10.240.F.0/24, ip_range: 10.240.F.128/26}
        - {subnet: "V6::/64"}
  back:
    internal: true
    ipam: {config: [{subnet: 10.240.B.0/24}]}
  edge: {external: true, name: PROJECT-shared} # before front by name: front is made all the same
volumes:
  data: {}
`

// allKeysScript is web's command: it notes what it sees in /out, then serves "web".
const allKeysScript = "busybox id -G > /out/groups; cat /proc/self/oom_score_adj > /out/oom; busybox nproc > /out/nproc; " +
	"cat /proc/self/cgroup > /out/cgroup; cat /sub/file > /out/sub; busybox ls /img/bin > /out/img; " +
	"busybox mknod /tmp/lc c 10 237 && (exec 3</tmp/lc) && echo readable > /out/dev; " +
	"echo shm > /dev/shm/mark; echo hello-syslog; echo web > /tmp/index.html; echo done > /out/done; " +
	"exec httpd -f -p 8080 -h /tmp"

// allKeys is the state of TestE2EAllKeys: its compose file, the test's dirs and the
// values the file was made with.
type allKeys struct {
	file, out, parent, v6, port string
	f, b                        int
}

// allKeysFile writes the compose file, its label file, the shared mount web binds
// rslave, and a fake CDI spec, into a dir of the test's.
func (e *e2e) allKeysFile(sock, specs string) allKeys {
	e.t.Helper()
	dir := e.t.TempDir()
	k := allKeys{out: filepath.Join(dir, "out"), parent: e.cgroup + "-own", port: freePort(e.t)}
	thirds := mathrand.Perm(256)[:2]
	k.f, k.b = thirds[0], thirds[1]
	k.v6 = randomULA64()
	os.Mkdir(k.out, 0o777)
	os.Chmod(k.out, 0o777)
	if err := unix.Mount(k.out, k.out, "", unix.MS_BIND, ""); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { unix.Unmount(k.out, unix.MNT_DETACH) })
	if err := unix.Mount("", k.out, "", unix.MS_SHARED, ""); err != nil {
		e.t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "labels.env"), []byte("com.example.team=infra\ncom.example.own=file\n"), 0o644)
	extra := ""
	if hostHas("/sys/fs/cgroup/cpu/cpu.rt_runtime_us") {
		extra += "    cpu_rt_runtime: 10000\n    cpu_rt_period: 1000000\n"
	}
	if hostHas("/dev/loop0") {
		extra += "    blkio_config:\n      device_read_bps: [{path: /dev/loop0, rate: 1mb}]\n      device_write_iops: [{path: /dev/loop0, rate: 100}]\n"
	}
	content := strings.NewReplacer("SCRIPT", allKeysScript, "EXTRA", extra, "PORT", k.port, "V6", k.v6,
		"PARENT", k.parent, "SOCK", sock, "PROJECT", e.project,
		"10.240.F.", fmt.Sprintf("10.240.%d.", k.f), "10.240.B.", fmt.Sprintf("10.240.%d.", k.b)).Replace(allKeysCompose)
	k.file = filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(k.file, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.fakeCDI(specs)
	return k
}

// fakeCDI writes fakeCDISpec into specs, with its device nodes and library in a dir of
// the test's.
func (e *e2e) fakeCDI(specs string) {
	e.t.Helper()
	dir := e.t.TempDir()
	for _, n := range []string{"gpu0", "gpu1"} {
		if err := unix.Mknod(filepath.Join(dir, n), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
			e.t.Fatalf("mknod: %v", err)
		}
	}
	os.WriteFile(filepath.Join(dir, "libfake.so"), []byte("fake driver\n"), 0o644)
	os.WriteFile(filepath.Join(specs, "nvidia.yaml"), []byte(strings.ReplaceAll(fakeCDISpec, "DIR", dir)), 0o644)
}

// TestE2EAllKeys brings up one project using the keys of issue 19 at once with
// up --wait, observes each effect from inside the containers and from the host, stops
// and starts it, and checks that down runs the pre_stop hook and leaves nothing.
func TestE2EAllKeys(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	syslog := listenUnixgram(t, filepath.Join(dir, "syslog.sock"))
	journal := listenUnixgram(t, filepath.Join(dir, "journal.sock"))
	specs := t.TempDir()
	e.env = append(e.env, "BERTH_JOURNAL_SOCKET="+filepath.Join(dir, "journal.sock"), "BERTH_CDI_SPEC_DIRS="+specs)
	k := e.allKeysFile(filepath.Join(dir, "syslog.sock"), specs)
	owner := e.upOwner()
	_, stderr, err := e.berth("-f", k.file, "up", "-d", "--wait")
	if err != nil {
		t.Fatalf("up -d --wait: %v\n%s", err, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("up warned of keys that take effect:\n%s", stderr)
	}
	if !eventually(10*time.Second, func() bool { return hostHas(filepath.Join(k.out, "done")) }) {
		t.Fatalf("web did not finish its checks; up stderr:\n%s", stderr)
	}
	e.checkAllKeysWeb(k)
	e.checkAllKeysNamespaces(k)
	e.checkAllKeysNetwork(k)
	e.checkAllKeysOthers(k)
	if m := readDatagram(t, syslog); !strings.Contains(m, " allkeys[") || !strings.HasSuffix(m, "]: hello-syslog\n") {
		t.Errorf("web's syslog message = %q, want its line with tag allkeys", m)
	}
	if f := journalFields(readDatagram(t, journal)); f["MESSAGE"] != "to-journal" || f["CONTAINER_NAME"] != e.ctr("journal") {
		t.Errorf("journal's message fields = %v, want MESSAGE to-journal from %s", f, e.ctr("journal"))
	}
	if out := e.mustBerth("-f", k.file, "logs"); strings.Contains(out, "to-journal") || !strings.Contains(out, "hello-syslog") {
		t.Errorf("logs = %q, want web's output and not journal's (attach: false)", out)
	}
	e.checkAllKeysPeer()
	// A second up changes nothing: every key hashes the same and no hook runs again.
	before := e.mustBerth("-f", k.file, "ps", "-a", "-q")
	if _, stderr, err := e.berth("-f", k.file, "up", "-d", "--wait"); err != nil {
		t.Fatalf("second up -d --wait: %v\n%s", err, stderr)
	}
	if after := e.mustBerth("-f", k.file, "ps", "-a", "-q"); after != before {
		t.Errorf("containers after a second up:\n%s\nwant the same as before:\n%s", after, before)
	}
	// stop and start: side joins the namespaces of web's new container process; the
	// messages the log servers leave unread keep no container's namespace alive.
	// web's first probe comes a start interval (1s) after its new start, not an interval (1m).
	e.mustBerth("-f", k.file, "stop", "-t", "1")
	began := time.Now()
	if _, stderr, err := e.berth("-f", k.file, "start", "--wait"); err != nil {
		t.Fatalf("start --wait after stop: %v\n%s", err, stderr)
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Errorf("start --wait took %v, want web healthy a start interval after its start", took)
	}
	for _, kind := range []string{"net", "pid", "ipc"} {
		if web, side := e.nsOf(k.file, "web", kind), e.nsOf(k.file, "side", kind); web != side {
			t.Errorf("after stop and start, side's %s namespace = %s, want web's %s", kind, side, web)
		}
	}
	if got := e.httpGet("http://127.0.0.1:" + k.port + "/index.html"); got != "web\n" {
		t.Errorf("after stop and start, GET web's port = %q, want its page", got)
	}
	e.mustBerth("-f", k.file, "down", "-v", "-t", "1")
	e.mustBerth("-p", e.project+"-owner", "-f", owner, "down", "-t", "1")
	if b, _ := os.ReadFile(filepath.Join(k.out, "hooks")); string(b) != "post_start 1000\npre_stop\npost_start 1000\npre_stop\n" {
		t.Errorf("hooks ran = %q, want post_start as user 1000 at up and start, pre_stop at stop and down", b)
	}
	e.assertNoLeaks()
	for _, c := range []string{"cpu", "memory", "pids", "cpuset", "blkio", "unified", ""} {
		if d := filepath.Join("/sys/fs/cgroup", c, k.parent); hostHas(d) {
			t.Errorf("cgroup %s left after down", d)
		}
	}
}

// checkAllKeysWeb checks what web noted of itself, its recorded config and its cgroup files.
func (e *e2e) checkAllKeysWeb(k allKeys) {
	e.t.Helper()
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(k.out, name))
		return strings.TrimSpace(string(b))
	}
	for name, want := range map[string]string{"oom": "300", "nproc": "1", "sub": "inside", "dev": "readable"} {
		if got := read(name); got != want {
			e.t.Errorf("web's %s = %q, want %q", name, got, want)
		}
	}
	if g := read("groups"); !strings.Contains(" "+g+" ", " 4242 ") {
		e.t.Errorf("web: id -G = %q, want group 4242 (group_add)", g)
	}
	for _, l := range strings.Split(read("cgroup"), "\n") {
		if !strings.HasSuffix(l, ":/") {
			e.t.Errorf("web: /proc/self/cgroup line %q, want / (cgroup: private)", l)
		}
	}
	if got := read("img"); !strings.Contains(got, "busybox") {
		e.t.Errorf("web: ls of the image mount = %q, want busybox", got)
	}
	sub := filepath.Join(k.out, "mnt")
	os.Mkdir(sub, 0o755)
	if err := unix.Mount("tmpfs", sub, "tmpfs", 0, "size=1m"); err != nil {
		e.t.Fatal(err)
	}
	defer unix.Unmount(sub, unix.MNT_DETACH)
	os.WriteFile(filepath.Join(sub, "marker"), []byte("propagated\n"), 0o644)
	if got := e.mustBerth("-f", k.file, "exec", "-T", "web", "cat", "/out/mnt/marker"); got != "propagated\n" {
		e.t.Errorf("web: the host's new mount = %q, want propagated (rslave)", got)
	}
	id := e.containerID(k.file, "web")
	e.checkLinuxKeysConfig(id)
	e.checkLinuxKeysCgroups(k.parent, id)
}

// nsOf is the namespace of kind of service's container (/proc/self/ns/KIND).
func (e *e2e) nsOf(file, service, kind string) string {
	e.t.Helper()
	return strings.TrimSpace(e.mustBerth("-f", file, "exec", "-T", service, "busybox", "readlink", "/proc/self/ns/"+kind))
}

// checkAllKeysNamespaces: side is in web's network, PID and IPC namespaces; hostns in
// the host's PID, IPC, UTS and cgroup ones; private has an IPC namespace of its own;
// web runs in the host's user namespace (userns_mode: host).
func (e *e2e) checkAllKeysNamespaces(k allKeys) {
	e.t.Helper()
	for _, kind := range []string{"net", "pid", "ipc"} {
		if web, side := e.nsOf(k.file, "web", kind), e.nsOf(k.file, "side", kind); web != side {
			e.t.Errorf("side's %s namespace = %s, want web's %s", kind, side, web)
		}
	}
	if got := e.mustBerth("-f", k.file, "exec", "-T", "side", "cat", "/proc/1/comm", "/dev/shm/mark"); got != "httpd\nshm\n" {
		e.t.Errorf("side: PID 1 and /dev/shm/mark = %q, want web's httpd and shm", got)
	}
	if got := e.mustBerth("-f", k.file, "exec", "-T", "side", "wget", "-qO-", "http://127.0.0.1:8080/index.html"); got != "web\n" {
		e.t.Errorf("side: GET 127.0.0.1:8080 = %q, want web's page", got)
	}
	for _, kind := range []string{"pid", "ipc", "uts", "cgroup", "user"} {
		host, err := os.Readlink("/proc/self/ns/" + kind)
		if err != nil {
			e.t.Fatal(err)
		}
		if kind != "user" {
			if got := e.nsOf(k.file, "hostns", kind); got != host {
				e.t.Errorf("hostns' %s namespace = %s, want the host's %s", kind, got, host)
			}
		}
		if got := e.nsOf(k.file, "web", kind); (got == host) != (kind == "user") {
			e.t.Errorf("web's %s namespace = %s, the host's is %s: want it the host's for user only", kind, got, host)
		}
	}
	web, private := e.nsOf(k.file, "web", "ipc"), e.nsOf(k.file, "private", "ipc")
	if host, _ := os.Readlink("/proc/self/ns/ipc"); private == web || private == host {
		e.t.Errorf("private's ipc namespace = %s, want its own (web's %s, the host's %s)", private, web, host)
	}
}

// checkAllKeysNetwork: web's attachment to the dual-stack front (its name, MAC,
// link-local, static IPv6 and ip_range addresses, its default routes), its published
// port on IPv4 and IPv6, AAAA answers, links and external_links on back.
func (e *e2e) checkAllKeysNetwork(k allKeys) {
	e.t.Helper()
	sh := func(service, cmd string) string {
		return e.mustBerth("-f", k.file, "exec", "-T", service, "sh", "-c", cmd)
	}
	front := sh("web", "busybox ip addr show front0")
	for _, want := range []string{"link/ether 02:42:be:ef:01:01", "inet 169.254.20.20/32", "inet6 " + k.v6 + "::10/64"} {
		if !strings.Contains(front, want) {
			e.t.Errorf("web: ip addr show front0 lacks %q:\n%s", want, front)
		}
	}
	if a := firstMatch(front, `inet (10\.240\.\d+\.\d+)/24`); !netip.MustParsePrefix(fmt.Sprintf("10.240.%d.128/26", k.f)).Contains(a) {
		e.t.Errorf("web: front0's address %s, want one of ip_range 10.240.%d.128/26", a, k.f)
	}
	checkDefaultRoute(e.t, "web", sh("web", "busybox ip route"), fmt.Sprintf("10.240.%d.1", k.f), "front0")
	checkDefaultRoute(e.t, "web", sh("web", "busybox ip -6 route"), k.v6+"::1", "front0")
	for _, url := range []string{"http://127.0.0.1:" + k.port, "http://[" + k.v6 + "::1]:" + k.port} {
		if got := e.httpGet(url + "/index.html"); got != "web\n" {
			e.t.Errorf("GET %s = %q, want web's page", url, got)
		}
	}
	if got := sh("journal", "busybox nslookup -type=AAAA web"); !strings.Contains(got, k.v6+"::10") {
		e.t.Errorf("journal: nslookup -type=AAAA web lacks %s::10:\n%s", k.v6, got)
	}
	back := e.project + "_back"
	web, private := e.addressOf(e.project, e.ctr("web"), back), e.addressOf(e.project, e.ctr("private"), back)
	api := e.addressOf(e.project+"-owner", e.project+"-owner-api-1", e.project+"-shared")
	e.checkLookups(e.project, k.file, []lookupCase{
		{"client", "webalias", web}, {"client", "backweb", web}, {"client", "ext", private},
		{"client", "api", api}, {"client", "theirs", api}, {"web", "theirs", ""},
		{"private", "webalias", ""}, {"journal", "backweb", ""},
	})
}

// checkAllKeysOthers: reader has web's volumes read-only, gpu the fake CDI GPUs,
// hostns the container's cgroup under the host's tree (cgroup: host).
func (e *e2e) checkAllKeysOthers(k allKeys) {
	e.t.Helper()
	if got := e.mustBerth("-f", k.file, "exec", "-T", "reader", "cat", "/sub/file", "/out/oom"); got != "inside\n300\n" {
		e.t.Errorf("reader: web's /sub/file and /out/oom = %q, want inside and 300", got)
	}
	if _, _, err := e.berth("-f", k.file, "exec", "-T", "reader", "sh", "-c", "echo x > /out/x"); err == nil {
		e.t.Errorf("reader wrote in web's bind, which it has read-only (volumes_from web:ro)")
	}
	if got := e.mustBerth("-f", k.file, "exec", "-T", "gpu", "sh", "-c", "busybox stat -c %n /dev/nvidia0 /dev/nvidia1; echo $FAKE_GPU_DRIVER"); got != "/dev/nvidia0\n/dev/nvidia1\n535\n" {
		e.t.Errorf("gpu's devices and driver env = %q, want the fake spec's", got)
	}
	if got := e.mustBerth("-f", k.file, "exec", "-T", "hostns", "cat", "/proc/self/cgroup"); !strings.Contains(got, "/"+e.cgroup+"/") {
		e.t.Errorf("hostns: /proc/self/cgroup = %q, want the host's paths under %s (cgroup: host)", got, e.cgroup)
	}
}

// upOwner brings up another project owning the network NAME-shared, which the all-keys
// project uses as external, with its service api on it; it returns its compose file.
func (e *e2e) upOwner() string {
	e.t.Helper()
	owner := e.project + "-owner"
	file := writeCompose(e.t, `services:
  api:
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    networks: [shared]
networks:
  shared: {name: `+e.project+`-shared}
`)
	e.t.Cleanup(func() { e.berth("-p", owner, "down", "-t", "1") })
	e.mustBerth("-p", owner, "-f", file, "up", "-d")
	return file
}

// checkAllKeysPeer: a container of another project joins web's PID and IPC namespaces
// by its name (pid and ipc: container:NAME).
func (e *e2e) checkAllKeysPeer() {
	e.t.Helper()
	other := e.project + "b"
	e.t.Cleanup(func() { e.berth("-p", other, "down", "-t", "1") })
	file := writeCompose(e.t, `services:
  peer:
    image: bte-busybox
    network_mode: none
    pid: container:`+e.ctr("web")+`
    ipc: container:`+e.ctr("web")+`
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`)
	e.mustBerth("-p", other, "-f", file, "up", "-d")
	if got := e.mustBerth("-p", other, "-f", file, "exec", "-T", "peer", "cat", "/proc/1/comm", "/dev/shm/mark"); got != "httpd\nshm\n" {
		e.t.Errorf("peer: PID 1 and /dev/shm/mark = %q, want web's httpd and shm", got)
	}
	e.mustBerth("-p", other, "-f", file, "down", "-t", "1")
}

// randomULA64 is the first 64 bits of a random ULA /64 as addresses print them (no
// leading zeros, no zero group), so that a test can look for PREFIX::x in their output.
func randomULA64() string {
	g := func() int { return 1 + mathrand.IntN(65535) }
	return fmt.Sprintf("fd%02x:%x:%x:%x", mathrand.IntN(256), g(), g(), g())
}
