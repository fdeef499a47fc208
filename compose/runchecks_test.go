package compose

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCheckService lists every value Docker's engine refuses, each at its place, at
// once; the file still loads (Compose's config prints it).
func TestCheckService(t *testing.T) {
	p := mustLoad(t, `services:
  web:
    image: nginx
    restart: sometimes
    ports:
      - target: 80
        published: "9-8"
      - target: 81
        host_ip: "::1"
      - "8000-8010:80"
    tmpfs: ["/run:size=lots", "rel", "/ok:size=1m,mode=1777,uid=1"]
    device_cgroup_rules: ["c 1:3 mr", "q 1:3 zz", "c 99999999999:1 r"]
    logging:
      options: {max-size: lots}
    cgroup_parent: a/../../b
    mem_swappiness: 200
    cpu_rt_period: 10
    cpu_rt_runtime: 100
    blkio_config:
      weight_device: [{path: /dev/sda, weight: 2000}]
    volumes:
      - type: bind
        source: /x
        target: /y
        bind: {propagation: weird}
      - type: volume
        source: v
        target: /z
        volume: {subpath: ../a}
  job:
    image: nginx
    logging:
      options: {max-file: "3"}
    deploy:
      restart_policy: {condition: any, max_attempts: 3}
  ok:
    image: nginx
    restart: on-failure:5
    logging:
      driver: local
      options: {max-file: "3"}
volumes:
  v: {}
`)
	var got []string
	for _, name := range p.ServiceNames() {
		for _, e := range p.CheckService(p.Services[name]) {
			got = append(got, e.Error()[strings.LastIndex(e.Pos.File, "/")+1:])
		}
	}
	want := []string{
		`compose.yaml:33:27: services.job.logging.options.max-file: "3" needs max-size`,
		`compose.yaml:35:54: services.job.deploy.restart_policy.max_attempts: only allowed with condition on-failure (Docker refuses a retry count for "any")`,
		`compose.yaml:4:14: services.web.restart: "sometimes": want no, always, on-failure[:max-retries] or unless-stopped`,
		`compose.yaml:7:20: services.web.ports[0].published: "9-8": want a port or a range of ports (8000-8010) up to 65535`,
		`compose.yaml:11:13: services.web.tmpfs[0]: tmpfs "/run:size=lots": option "size=lots": bad value`,
		`compose.yaml:11:31: services.web.tmpfs[1]: tmpfs "rel": the path must be absolute`,
		`compose.yaml:12:39: services.web.device_cgroup_rules[1]: device cgroup rule "q 1:3 zz": want "TYPE MAJOR:MINOR ACCESS" (type a, b or c; numbers or *; access of r, w, m)`,
		`compose.yaml:12:51: services.web.device_cgroup_rules[2]: device cgroup rule "c 99999999999:1 r": number 99999999999 out of range`,
		`compose.yaml:14:27: services.web.logging.options.max-size: "lots": not a size`,
		`compose.yaml:15:20: services.web.cgroup_parent: a/../../b: want a cgroup path without ..`,
		`compose.yaml:16:21: services.web.mem_swappiness: 200: want 0 to 100`,
		`compose.yaml:18:21: services.web.cpu_rt_runtime: 100: want at most cpu_rt_period`,
		`compose.yaml:20:48: services.web.blkio_config.weight_device[0].weight: 2000: want 10 to 1000`,
		`compose.yaml:25:29: services.web.volumes[0].bind.propagation: "weird": want one of private, rprivate, shared, rshared, slave, rslave`,
		`compose.yaml:29:27: services.web.volumes[1].volume.subpath: "../a": want a relative path within the volume`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CheckService mismatch (-want +got):\n%s", diff)
	}
	for _, e := range p.CheckService(p.Services["web"]) {
		if !errors.Is(e, ErrInvalid) {
			t.Errorf("CheckService error %v does not wrap ErrInvalid", e)
		}
	}
	if n := len(p.RunWarnings()); n != len(want) {
		t.Errorf("RunWarnings() has %d warnings, want %d", n, len(want))
	}
}

// TestCheckServiceNetworkKeys: the addresses, MAC addresses and interface names of a
// service's network attachments that Docker refuses at create are refused at their place.
func TestCheckServiceNetworkKeys(t *testing.T) {
	p := mustLoad(t, `services:
  web:
    image: nginx
    mac_address: "02:42"
    networks:
      front:
        ipv4_address: "fd00::1"
        ipv6_address: 10.0.0.1
        link_local_ips: ["169.254.0.1", "nope"]
        mac_address: "zz:42:ac:11:00:02"
        interface_name: "a/b"
      back:
        ipv4_address: 10.0.0.1
        ipv6_address: "fd00::1"
        mac_address: "02:42:ac:11:00:02"
        interface_name: eth7
networks:
  front: {}
  back: {}
`)
	var got []string
	for _, e := range p.CheckService(p.Services["web"]) {
		got = append(got, e.Error()[strings.LastIndex(e.Pos.File, "/")+1:])
	}
	want := []string{
		`compose.yaml:4:18: services.web.mac_address: "02:42" is not a valid mac address`,
		`compose.yaml:7:23: services.web.networks.front.ipv4_address: "fd00::1" is not an IPv4 address`,
		`compose.yaml:8:23: services.web.networks.front.ipv6_address: "10.0.0.1" is not an IPv6 address`,
		`compose.yaml:9:41: services.web.networks.front.link_local_ips[1]: "nope" is not an IP address`,
		`compose.yaml:10:22: services.web.networks.front.mac_address: "zz:42:ac:11:00:02" is not a valid mac address`,
		`compose.yaml:11:25: services.web.networks.front.interface_name: "a/b": want an interface name of at most 15 bytes, without '/', ':' or spaces`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CheckService mismatch (-want +got):\n%s", diff)
	}
}

// TestCheckServiceRaw: a project loaded without interpolation holds ${VAR} as written,
// which is not refused.
func TestCheckServiceRaw(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    restart: ${POLICY}\n"})
	p, err := Load(t.Context(), Options{Files: []string{filepath.Join(dir, "compose.yaml")}, NoInterpolate: true})
	if err != nil {
		t.Fatal(err)
	}
	if errs := p.CheckService(p.Services["web"]); errs != nil {
		t.Errorf("CheckService(raw) = %v, want nil", errs)
	}
}

// TestEffectiveRestart reads restart: and deploy.restart_policy as Docker's engine takes
// them; deploy wins.
func TestEffectiveRestart(t *testing.T) {
	three := uint64(3)
	tests := []struct {
		restart string
		deploy  *DeployConfig
		want    Restart
		err     string
	}{
		{"", nil, Restart{Name: RestartNo}, ""},
		{"always", nil, Restart{Name: RestartAlways}, ""},
		{"unless-stopped", nil, Restart{Name: RestartUnlessStopped}, ""},
		{"on-failure", nil, Restart{Name: RestartOnFailure}, ""},
		{"on-failure:3", nil, Restart{Name: RestartOnFailure, MaxRetries: 3}, ""},
		{"on-failure:x", nil, Restart{}, "maximum retry count"},
		{"on-failure:-1", nil, Restart{}, "maximum retry count"},
		{"always:3", nil, Restart{}, "only allowed with on-failure"},
		{"sometimes", nil, Restart{}, "want no, always"},
		{"always", &DeployConfig{RestartPolicy: &RestartPolicy{Condition: "none"}}, Restart{Name: RestartNo}, ""},
		{"", &DeployConfig{RestartPolicy: &RestartPolicy{}}, Restart{Name: RestartNo}, ""},
		{"", &DeployConfig{RestartPolicy: &RestartPolicy{Condition: "any"}}, Restart{Name: RestartAlways}, ""},
		{"", &DeployConfig{RestartPolicy: &RestartPolicy{Condition: "on-failure", MaxAttempts: &three}}, Restart{Name: RestartOnFailure, MaxRetries: 3}, ""},
		{"", &DeployConfig{RestartPolicy: &RestartPolicy{Condition: "bogus"}}, Restart{}, "want none, on-failure or any"},
	}
	for _, tt := range tests {
		svc := ServiceConfig{Name: "web", Restart: tt.restart, Deploy: tt.deploy}
		got, _, err := svc.restartPolicy()
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("restartPolicy(%q, %+v) = %+v, %v; want an error containing %q", tt.restart, tt.deploy, got, err, tt.err)
			}
			if eff := svc.EffectiveRestart(); eff != (Restart{Name: RestartNo}) {
				t.Errorf("EffectiveRestart(%q) = %+v, want no", tt.restart, eff)
			}
			continue
		}
		if err != nil || got != tt.want || svc.EffectiveRestart() != tt.want {
			t.Errorf("restartPolicy(%q, %+v) = %+v, %v; want %+v", tt.restart, tt.deploy, got, err, tt.want)
		}
	}
}

func TestPublishedRange(t *testing.T) {
	tests := []struct {
		published   string
		first, last uint16
	}{{"", 0, 0}, {"8080", 8080, 8080}, {"8000-8010", 8000, 8010}, {"x", 0, 0}, {"9-8", 0, 0}}
	for _, tt := range tests {
		first, last := ServicePortConfig{Target: 80, Published: tt.published}.PublishedRange()
		if first != tt.first || last != tt.last {
			t.Errorf("PublishedRange(%q) = %d, %d; want %d, %d", tt.published, first, last, tt.first, tt.last)
		}
	}
}

// TestCheckServiceFields: each value Docker refuses is reported at its field path, and
// the edges Docker takes are not.
func TestCheckServiceFields(t *testing.T) {
	for _, c := range []struct {
		svc  ServiceConfig
		path string
	}{
		{ServiceConfig{Cgroup: "shared"}, "services.web.cgroup"},
		{ServiceConfig{OomScoreAdj: 1001}, "services.web.oom_score_adj"},
		{ServiceConfig{MemSwappiness: 101}, "services.web.mem_swappiness"},
		{ServiceConfig{CgroupParent: "a/../../b"}, "services.web.cgroup_parent"},
		{ServiceConfig{CPURTPeriod: 1000, CPURTRuntime: 2000}, "services.web.cpu_rt_runtime"},
		{ServiceConfig{BlkioConfig: &BlkioConfig{Weight: 5}}, "services.web.blkio_config.weight"},
		{ServiceConfig{BlkioConfig: &BlkioConfig{WeightDevice: []WeightDevice{{Path: "/dev/sda", Weight: 2000}}}}, "services.web.blkio_config.weight_device[0].weight"},
		{ServiceConfig{Volumes: []ServiceVolumeConfig{{Type: "bind", Bind: &ServiceVolumeBind{Propagation: "both"}}}}, "services.web.volumes[0].bind.propagation"},
		{ServiceConfig{Volumes: []ServiceVolumeConfig{{}, {Type: "volume", Volume: &ServiceVolumeVolume{Subpath: "../x"}}}}, "services.web.volumes[1].volume.subpath"},
		{ServiceConfig{Volumes: []ServiceVolumeConfig{{Type: "image", Image: &ServiceVolumeImage{Subpath: "/etc"}}}}, "services.web.volumes[0].image.subpath"},
		{ServiceConfig{DeviceCgroupRules: []string{"c 1:3 r", "c 1:3"}}, "services.web.device_cgroup_rules[1]"},
		{ServiceConfig{DeviceCgroupRules: []string{"x 1:3 r"}}, "services.web.device_cgroup_rules[0]"},
		{ServiceConfig{DeviceCgroupRules: []string{"c 1:3 rwx"}}, "services.web.device_cgroup_rules[0]"},
		{ServiceConfig{DeviceCgroupRules: []string{"c1:3 r"}}, "services.web.device_cgroup_rules[0]"},
		{ServiceConfig{Ports: []ServicePortConfig{{Target: 80, Published: "70000"}}}, "services.web.ports[0].published"},
		{ServiceConfig{Ports: []ServicePortConfig{{Target: 80, Published: "8000-x"}}}, "services.web.ports[0].published"},
		{ServiceConfig{Tmpfs: StringList{"/x:suid"}}, "services.web.tmpfs[0]"},
		{ServiceConfig{Logging: &LoggingConfig{Options: DriverOptions{"max-size": "1m", "max-file": "0"}}}, "services.web.logging.options.max-file"},
	} {
		c.svc.Name = "web"
		errs := (&Project{}).CheckService(c.svc)
		if len(errs) != 1 || errs[0].Path != c.path {
			t.Errorf("CheckService(%+v) = %v, want one error at %s", c.svc, errs, c.path)
		}
	}
	ok := ServiceConfig{Name: "web", Cgroup: "host", OomScoreAdj: -1000, MemSwappiness: 100, CgroupParent: "/a/b",
		DeviceCgroupRules: []string{"c 1:3 mr", "a *:* rwm", "b 8:* r"},
		Ports:             []ServicePortConfig{{Target: 80, Published: "8000-8010", HostIP: "::1"}, {Target: 81, Published: "0"}},
		Volumes: []ServiceVolumeConfig{{Type: "bind", Bind: &ServiceVolumeBind{Propagation: "rslave"}},
			{Type: "volume", Volume: &ServiceVolumeVolume{Subpath: "a/b"}}}}
	if errs := (&Project{}).CheckService(ok); errs != nil {
		t.Errorf("CheckService(valid) = %v", errs)
	}
}

func TestParseTmpfs(t *testing.T) {
	tests := []struct {
		in   string
		want TmpfsMount
		err  string
	}{
		{"/run", TmpfsMount{Target: "/run"}, ""},
		{"/run:size=1m", TmpfsMount{Target: "/run", Size: 1 << 20}, ""},
		{"/data:rw,exec,size=64k,mode=0750,uid=1000,gid=1000", TmpfsMount{Target: "/data", Exec: true, Size: 64 << 10, Mode: 0o750, Data: "uid=1000,gid=1000"}, ""},
		{"/ro:ro,nosuid,nodev,noexec", TmpfsMount{Target: "/ro", ReadOnly: true}, ""},
		{"run", TmpfsMount{}, `tmpfs "run": the path must be absolute`},
		{"/x:size=lots", TmpfsMount{}, `tmpfs "/x:size=lots": option "size=lots": bad value`},
		{"/x:mode=999", TmpfsMount{}, `tmpfs "/x:mode=999": option "mode=999": bad value`},
		{"/x:uid=app", TmpfsMount{}, `tmpfs "/x:uid=app": option "uid=app": bad value`},
		{"/x:suid", TmpfsMount{}, `tmpfs "/x:suid": option "suid" is not supported (ro, rw, exec, noexec, size, mode, uid, gid, nr_inodes are)`},
	}
	for _, tt := range tests {
		got, err := ParseTmpfs(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseTmpfs(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseTmpfs(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestLogRotation(t *testing.T) {
	tests := []struct {
		logging *LoggingConfig
		size    int64
		files   int
		err     string
	}{
		{nil, 0, 1, ""},
		{&LoggingConfig{Driver: "json-file", Options: DriverOptions{"max-size": "10k", "max-file": "3"}}, 10_000, 3, ""},
		{&LoggingConfig{Driver: "local"}, 20_000_000, 5, ""},
		{&LoggingConfig{Driver: "syslog"}, 20_000_000, 5, ""},
		{&LoggingConfig{Driver: "journald", Options: DriverOptions{"cache-max-size": "1m", "cache-max-file": "2"}}, 1_000_000, 2, ""},
		{&LoggingConfig{Driver: "syslog", Options: DriverOptions{"cache-max-file": "x"}}, 0, 1, `"x": not a number of files >= 1`},
		{&LoggingConfig{Options: DriverOptions{"max-size": "1m"}}, 1_000_000, 1, ""},
		{&LoggingConfig{Options: DriverOptions{"max-size": "big"}}, 0, 1, `"big": not a size`},
		{&LoggingConfig{Options: DriverOptions{"max-file": "3"}}, 0, 1, `"3" needs max-size`},
		{&LoggingConfig{Options: DriverOptions{"max-size": "1m", "max-file": "0"}}, 0, 1, `"0": not a number of files >= 1`},
	}
	for _, tt := range tests {
		svc := ServiceConfig{Logging: tt.logging}
		_, _, _, err := svc.logRotation()
		if (tt.err == "") != (err == nil) || err != nil && err.Error() != tt.err {
			t.Errorf("logRotation(%+v) error = %v, want %q", tt.logging, err, tt.err)
		}
		if size, files := svc.LogRotation(); size != tt.size || files != tt.files {
			t.Errorf("LogRotation(%+v) = %d, %d; want %d, %d", tt.logging, size, files, tt.size, tt.files)
		}
	}
}
