package compose

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnsupported(t *testing.T) {
	p := mustLoad(t, `services:
  app:
    image: alpine
    gpus: all
    post_start:
      - command: echo hi
    pre_stop:
      - command: [sh, -c, "echo bye"]
    develop:
      watch: [{path: ./src, action: sync, target: /src}]
    volumes:
      - type: image
        source: alpine:3
        target: /img
    deploy:
      placement: {constraints: [node.role==manager]}
      resources: {reservations: {devices: [{driver: nvidia, count: 1, capabilities: [gpu]}, {capabilities: [tpu]}]}}
  plain:
    image: alpine
    deploy: {replicas: 2}
networks:
  default: {driver: overlay}
`)
	var got []string
	for _, w := range p.Unsupported() {
		got = append(got, w.Pos.String()[strings.LastIndex(w.Pos.String(), "/")+1:]+" "+w.Path)
	}
	want := []string{
		"compose.yaml:16:18 services.app.deploy.placement",
		"compose.yaml:17:93 services.app.deploy.resources.reservations.devices[1]",
		"compose.yaml:22:21 networks.default.driver",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Unsupported() mismatch (-want +got):\n%s", diff)
	}
	for _, w := range p.Unsupported() {
		if w.Msg == "" || !strings.Contains(w.String(), w.Path+": "+w.Msg) {
			t.Errorf("Warning %+v prints %q, want path and message", w, w.String())
		}
	}
	if ws := mustLoad(t, "services: {web: {image: nginx, deploy: {replicas: 2}}}\n").Unsupported(); len(ws) != 0 {
		t.Errorf("Unsupported() of a plain project = %v, want none", ws)
	}
	applied := `services:
  web:
    image: nginx
    group_add: [audio]
    cpuset: "0"
    cpu_rt_runtime: 1000
    cpu_rt_period: 1000000
    mem_reservation: 1m
    mem_swappiness: 10
    oom_score_adj: 100
    oom_kill_disable: true
    blkio_config: {weight: 300}
    cgroup_parent: custom
    cgroup: private
    userns_mode: host
    logging: {driver: none}
  logger:
    image: nginx
    logging: {driver: syslog}
  journal:
    image: nginx
    logging: {driver: journald}
    post_start: [{command: echo hi}]
    pre_stop: [{command: echo bye, user: root, privileged: true}]
`
	if ws := mustLoad(t, applied).Unsupported(); len(ws) != 0 {
		t.Errorf("Unsupported() of the keys berth applies = %v, want none", ws)
	}
	ws := mustLoad(t, "services: {web: {image: nginx, userns_mode: \"remap\"}}\n").Unsupported()
	if len(ws) != 1 || ws[0].Path != "services.web.userns_mode" {
		t.Errorf("Unsupported() of userns_mode other than host = %v, want its warning", ws)
	}
}

// TestUnsetVariableWarnings: a variable with no value and no default becomes "" with a
// warning at its position; defaults, $$ escapes and set variables give none.
func TestUnsetVariableWarnings(t *testing.T) {
	p := mustLoad(t, `services:
  web:
    image: "nginx:${TAG}"
    command: ["sh", "-c", "i=0; echo $$i $i ${NOPE:-x}"]
    environment:
      A: ${MISSING}
`)
	var got []string
	for _, w := range p.Warnings {
		got = append(got, strings.TrimPrefix(w.String(), filepath.Dir(w.Pos.File)+"/"))
	}
	want := []string{
		`compose.yaml:4:27: services.web.command[2]: The "i" variable is not set. Defaulting to a blank string.`,
		`compose.yaml:6:10: services.web.environment.A: The "MISSING" variable is not set. Defaulting to a blank string.`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Warnings =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if cmd := p.Services["web"].Command; len(cmd) != 3 || cmd[2] != "i=0; echo $i  x" {
		t.Errorf("command = %q, want the unset variable blank and $$ kept as $", cmd)
	}
}

// pid: host takes effect (the engine shares the host's pid namespace): no warning; so do
// mac_address, link_local_ips, gw_priority, interface_name, ip_range, enable_ipv6 with
// its IPv6 addresses and ports on [::1] (the supervisor's userland proxy serves them);
// an IPv6 address or subnet on a network without enable_ipv6 is not.
func TestUnsupportedNewKeys(t *testing.T) {
	p := mustLoad(t, `services:
  web:
    image: nginx
    pid: host
    security_opt: ["no-new-privileges:true", "seccomp=unconfined", "seccomp=/p.json", "apparmor=docker-default"]
    logging: {driver: gelf}
    devices: ["/dev/fuse", "vendor.com/gpu=all"]
    volumes: [data:/data, cache:/cache]
    mac_address: "02:42:ac:11:00:09"
    ports: ["[::1]:8080:80", "8081:80"]
    networks:
      default: {ipv6_address: "fd00::5", aliases: [w], mac_address: "02:42:ac:11:00:09", link_local_ips: ["169.254.1.1"], gw_priority: 1, interface_name: front}
      v4: {ipv6_address: "fd00:1::5"}
      v6only: {}
volumes:
  data: {driver_opts: {type: none, o: bind, device: /srv}}
  cache: {driver_opts: {type: tmpfs, device: tmpfs}}
networks:
  default: {enable_ipv6: true, ipam: {config: [{subnet: "fd00::/64"}]}}
  v4: {ipam: {config: [{subnet: 10.9.0.0/24, ip_range: 10.9.0.128/25}, {subnet: "fd00:1::/64"}]}}
  v6only: {enable_ipv4: false, enable_ipv6: true}
`)
	var got []string
	for _, w := range p.Unsupported() {
		got = append(got, w.Path)
	}
	want := []string{"services.web.security_opt[3]", "services.web.logging.driver",
		"services.web.networks.v4.ipv6_address", "volumes.cache.driver_opts", "networks.v4.ipam.config[1].subnet", "networks.v6only.enable_ipv4"}
	if !slices.Equal(got, want) {
		t.Errorf("Unsupported paths = %q, want %q", got, want)
	}
}

func TestBindDevice(t *testing.T) {
	tests := []struct {
		vol  VolumeConfig
		want string
	}{
		{VolumeConfig{DriverOpts: DriverOptions{"type": "none", "o": "bind", "device": "/srv/data"}}, "/srv/data"},
		{VolumeConfig{Driver: "local", DriverOpts: DriverOptions{"type": "none", "o": "rw,rbind", "device": "/srv/data"}}, "/srv/data"},
		{VolumeConfig{DriverOpts: DriverOptions{"type": "tmpfs", "o": "size=1m", "device": "tmpfs"}}, ""},
		{VolumeConfig{DriverOpts: DriverOptions{"type": "none", "o": "ro", "device": "/srv/data"}}, ""},
		{VolumeConfig{Driver: "nfs", DriverOpts: DriverOptions{"type": "none", "o": "bind", "device": "/srv/data"}}, ""},
		{VolumeConfig{}, ""},
	}
	for _, tt := range tests {
		if got, ok := tt.vol.BindDevice(); got != tt.want || ok != (tt.want != "") {
			t.Errorf("BindDevice(%+v) = %q, %v; want %q", tt.vol, got, ok, tt.want)
		}
	}
}

// TestUnsupportedSpecKeys: keys of the current specification Compose v5 accepts
// (pull_refresh_after, models, provider services) load, and berth warns at their
// place that it does not act on them.
func TestUnsupportedSpecKeys(t *testing.T) {
	p := mustLoad(t, `services:
  app:
    image: alpine
    pull_policy: daily
    pull_refresh_after: 24h
    models: [llm]
  db:
    provider: {type: awesomecloud, options: {type: mysql}}
models:
  llm: {model: ai/smollm2}
`)
	var got []string
	for _, w := range p.Unsupported() {
		got = append(got, strings.TrimPrefix(w.Pos.String(), filepath.Dir(w.Pos.File)+"/")+" "+w.Path)
	}
	want := []string{"compose.yaml:5:25 services.app.pull_refresh_after", "compose.yaml:6:13 services.app.models",
		"compose.yaml:8:15 services.db.provider", "compose.yaml:10:3 models"}
	if !slices.Equal(got, want) {
		t.Errorf("Unsupported = %q, want %q", got, want)
	}
}

func TestUnsupportedJobs(t *testing.T) {
	p := mustLoad(t, `services:
  web:
    image: nginx
jobs:
  migrate:
    image: alpine
    triggers: {manual: true}
  nightly:
    image: alpine
    profiles: [nightly]
    triggers: {schedule: ["@daily"]}
`)
	var got []string
	for _, w := range p.Unsupported() {
		got = append(got, w.String()[strings.LastIndex(w.String(), "/")+1:])
	}
	want := []string{"compose.yaml:5:3: jobs.migrate: jobs are not run: berth loads and prints them but runs services only"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Unsupported() mismatch (-want +got):\n%s", diff)
	}
}
