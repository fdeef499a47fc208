package project

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/netdriver"
	"github.com/google/go-cmp/cmp"
)

func TestPortMappings(t *testing.T) {
	tests := []struct {
		in   compose.ServicePortConfig
		want netdriver.PortMapping
	}{
		{compose.ServicePortConfig{Target: 80, Published: "8080", Protocol: "tcp"}, netdriver.PortMapping{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}},
		{compose.ServicePortConfig{Target: 53, Protocol: "udp"}, netdriver.PortMapping{ContainerPort: 53, Protocol: "udp"}},
		{compose.ServicePortConfig{Target: 80, HostIP: "127.0.0.1", Published: "9000-9002"},
			netdriver.PortMapping{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 9000, HostPortEnd: 9002, ContainerPort: 80}},
	}
	for _, tt := range tests {
		got, err := portMappings(compose.ServiceConfig{Name: "web", Ports: []compose.ServicePortConfig{tt.in}})
		if err != nil {
			t.Fatalf("portMappings(%+v): %v", tt.in, err)
		}
		if diff := cmp.Diff([]netdriver.PortMapping{tt.want}, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
			t.Errorf("portMappings(%+v) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
	_, err := portMappings(compose.ServiceConfig{Name: "web", Ports: []compose.ServicePortConfig{{Target: 80, Published: "x"}}})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("portMappings(bad) = %v, want ErrInvalid", err)
	}
}

func TestEnvironment(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "app.env")
	os.WriteFile(envFile, []byte("# comment\nA=from-file\nexport B=\"quoted\"\nC=file\n"), 0o644)
	c := "env"
	p := &compose.Project{Env: map[string]string{"D": "host"}}
	svc := compose.ServiceConfig{Name: "app",
		EnvFiles:    []compose.EnvFile{{Path: envFile, Required: true}, {Path: filepath.Join(dir, "missing.env")}},
		Environment: compose.MappingWithEquals{"C": &c, "D": nil, "E": nil}}
	got, err := environment(p, svc)
	if err != nil {
		t.Fatalf("environment: %v", err)
	}
	want := []string{"A=from-file", "B=quoted", "C=env", "D=host"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("environment mismatch (-want +got):\n%s", diff)
	}
	svc.EnvFiles[1].Required = true
	if _, err := environment(p, svc); err == nil {
		t.Errorf("environment with a missing required env_file = nil error")
	}
}

func TestParsePools(t *testing.T) {
	got, err := ParsePools(" 10.240.0.0/16, ,10.241.1.0/24")
	want := []netip.Prefix{netip.MustParsePrefix("10.240.0.0/16"), netip.MustParsePrefix("10.241.1.0/24")}
	if err != nil || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("ParsePools = %v, %v; want %v", got, err, want)
	}
	if _, err := ParsePools("10.0.0.0"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParsePools(no mask) = %v, want ErrInvalid", err)
	}
}

func TestHostsFile(t *testing.T) {
	svc := compose.ServiceConfig{ExtraHosts: compose.HostsList{"db.local": {"10.0.0.5"}}}
	got := hostsFile(svc, "abc", []netip.Addr{netip.MustParseAddr("10.240.0.2")})
	want := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.240.0.2\tabc\n10.0.0.5\tdb.local\n"
	if got != want {
		t.Errorf("hostsFile = %q, want %q", got, want)
	}
}

func TestStateRoundTrip(t *testing.T) {
	cfg := Config{Root: t.TempDir()}
	if _, err := cfg.LoadState("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LoadState(missing) = %v, want ErrNotFound", err)
	}
	st := &State{Name: "p", WorkingDir: "/src", Containers: []*ContainerState{
		{ID: "2", Name: "p-b-1", Service: "b", Number: 1}, {ID: "1", Name: "p-a-1", Service: "a", Number: 1}}}
	if err := cfg.saveState(st); err != nil {
		t.Fatal(err)
	}
	got, err := cfg.LoadState("p")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, got); diff != "" {
		t.Errorf("LoadState after saveState mismatch (-want +got):\n%s", diff)
	}
	names, err := cfg.Projects()
	if err != nil || !cmp.Equal(names, []string{"p"}) {
		t.Errorf("Projects() = %v, %v; want [p]", names, err)
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]int{"SIGKILL": 9, "TERM": 15, "2": 2, "bogus": 15} {
		if got := int(parseSignal(in)); got != want {
			t.Errorf("parseSignal(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestTmpfsMount(t *testing.T) {
	tests := []struct {
		in   string
		want engine.Mount
		err  string
	}{
		{"/run", engine.Mount{Type: "tmpfs", Target: "/run", NoExec: true}, ""},
		{"/run:size=1m", engine.Mount{Type: "tmpfs", Target: "/run", NoExec: true, Size: 1 << 20}, ""},
		{"/data:rw,exec,size=64k,mode=0750,uid=1000,gid=1000", engine.Mount{Type: "tmpfs", Target: "/data", Size: 64 << 10,
			Mode: 0o750, TmpfsData: "uid=1000,gid=1000"}, ""},
		{"/ro:ro,nosuid,nodev,noexec", engine.Mount{Type: "tmpfs", Target: "/ro", ReadOnly: true, NoExec: true}, ""},
		{"run", engine.Mount{}, `tmpfs "run": the path must be absolute: invalid`},
		{"/x:size=lots", engine.Mount{}, `tmpfs "/x:size=lots": option "size=lots": bad value: invalid`},
		{"/x:mode=999", engine.Mount{}, `tmpfs "/x:mode=999": option "mode=999": bad value: invalid`},
		{"/x:uid=app", engine.Mount{}, `tmpfs "/x:uid=app": option "uid=app": bad value: invalid`},
		{"/x:suid", engine.Mount{}, `tmpfs "/x:suid": option "suid" is not supported (ro, rw, exec, noexec, size, mode, uid, gid, nr_inodes are): invalid`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := tmpfsMount(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || !errors.Is(err, ErrInvalid) {
					t.Errorf("tmpfsMount(%q) error = %v, want %q wrapping ErrInvalid", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("tmpfsMount(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestResolvOverrides(t *testing.T) {
	conf := "nameserver 10.0.0.1\nsearch host.lan\noptions ndots:0 timeout:5\n"
	tests := []struct {
		search, opts []string
		want         string
	}{
		{nil, nil, conf},
		{[]string{"a.com", "b.com"}, nil, "nameserver 10.0.0.1\nsearch a.com b.com\noptions ndots:0 timeout:5\n"},
		{nil, []string{"timeout:2", "rotate"}, "nameserver 10.0.0.1\nsearch host.lan\noptions ndots:0 timeout:2 rotate\n"},
	}
	for _, tt := range tests {
		if got := resolvOverrides(conf, tt.search, tt.opts); got != tt.want {
			t.Errorf("resolvOverrides(%v, %v) =\n%s\nwant\n%s", tt.search, tt.opts, got, tt.want)
		}
	}
	if got := resolvOverrides("nameserver 1.1.1.1\n", nil, []string{"ndots:2"}); got != "nameserver 1.1.1.1\noptions ndots:2\n" {
		t.Errorf("options added to a resolv.conf without any = %q", got)
	}
}

func TestLogRotation(t *testing.T) {
	tests := []struct {
		logging *compose.LoggingConfig
		size    int64
		files   int
		err     string
	}{
		{nil, 0, 1, ""},
		{&compose.LoggingConfig{Driver: "json-file", Options: compose.DriverOptions{"max-size": "10k", "max-file": "3"}}, 10_000, 3, ""},
		{&compose.LoggingConfig{Driver: "local"}, 20_000_000, 5, ""},
		{&compose.LoggingConfig{Options: compose.DriverOptions{"max-size": "1m"}}, 1_000_000, 1, ""},
		{&compose.LoggingConfig{Options: compose.DriverOptions{"max-size": "big"}}, 0, 0, `max-size "big": not a size: invalid`},
		{&compose.LoggingConfig{Options: compose.DriverOptions{"max-file": "3"}}, 0, 0, `max-file "3" needs max-size: invalid`},
		{&compose.LoggingConfig{Options: compose.DriverOptions{"max-size": "1m", "max-file": "0"}}, 0, 0, `max-file "0": not a number of files ≥ 1: invalid`},
	}
	for _, tt := range tests {
		size, files, err := logRotation(compose.ServiceConfig{Logging: tt.logging})
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("logRotation(%+v) error = %v, want %q", tt.logging, err, tt.err)
			}
			continue
		}
		if err != nil || size != tt.size || files != tt.files {
			t.Errorf("logRotation(%+v) = %d, %d, %v; want %d, %d", tt.logging, size, files, err, tt.size, tt.files)
		}
	}
}

func TestBaseSpecDevicesSwapCPUQuota(t *testing.T) {
	s := baseSpec(compose.ServiceConfig{
		Devices:      []compose.DeviceMapping{{Source: "/dev/fuse", Target: "/dev/fuse", Permissions: "rwm"}, {Source: "vendor.com/gpu=0"}},
		MemLimit:     100 << 20,
		MemSwapLimit: 200 << 20,
		CPUQuota:     50_000,
	})
	if len(s.Devices) != 1 || s.Devices[0] != (engine.Device{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", Permissions: "rwm"}) {
		t.Errorf("Devices = %+v, want /dev/fuse only (CDI names are warned of)", s.Devices)
	}
	if s.Resources.MemorySwap != 200<<20 || s.Resources.CPUs != 0.5 {
		t.Errorf("Resources = %+v, want MemorySwap 200 MiB and 0.5 CPUs from cpu_quota", s.Resources)
	}
}

// TestDeviceCgroupRules: device_cgroup_rules reach the engine spec as written, and a
// malformed rule is refused, with its field path, before anything is made.
func TestDeviceCgroupRules(t *testing.T) {
	rules := []string{"c 1:3 mr", "a *:* rwm", "b 8:* r"}
	if s := baseSpec(compose.ServiceConfig{DeviceCgroupRules: rules}); !slices.Equal(s.DeviceCgroupRules, rules) {
		t.Errorf("DeviceCgroupRules = %q, want %q", s.DeviceCgroupRules, rules)
	}
	if err := checkSupported(compose.ServiceConfig{Name: "web", Image: "x", DeviceCgroupRules: rules}); err != nil {
		t.Errorf("checkSupported(%q) = %v, want nil", rules, err)
	}
	for _, bad := range []string{"c 1:3", "x 1:3 r", "c 1:3 rwx", "c1:3 r"} {
		err := checkSupported(compose.ServiceConfig{Name: "web", Image: "x", DeviceCgroupRules: []string{"c 1:3 r", bad}})
		if err == nil || !strings.HasPrefix(err.Error(), "services.web.device_cgroup_rules[1]: ") || !errors.Is(err, engine.ErrInvalid) {
			t.Errorf("checkSupported(%q) = %v, want an error at services.web.device_cgroup_rules[1]", bad, err)
		}
	}
}

func TestExposedPortsAndPSColumn(t *testing.T) {
	got := exposedPorts(compose.ServiceConfig{Expose: compose.StringOrNumberList{"53/udp", "8000-8002", "80"}},
		map[string]struct{}{"80/tcp": {}, "443/tcp": {}})
	want := []PortState{{ContainerPort: 53, Protocol: "udp"}, {ContainerPort: 80, Protocol: "tcp"}, {ContainerPort: 443, Protocol: "tcp"},
		{ContainerPort: 8000, Protocol: "tcp"}, {ContainerPort: 8001, Protocol: "tcp"}, {ContainerPort: 8002, Protocol: "tcp"}}
	if !slices.Equal(got, want) {
		t.Fatalf("exposedPorts = %+v, want %+v", got, want)
	}
	c := &ContainerState{Exposed: got, Ports: []PortState{{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}}
	s := summarize("p", c, engine.State{Status: engine.StatusRunning}, "")
	if cols := s.Ports(); cols != "53/udp, 127.0.0.1:8080->80/tcp, 443/tcp, 8000/tcp, 8001/tcp, 8002/tcp" {
		t.Errorf("PORTS = %q; want the published port with its address and the others bare", cols)
	}
}
