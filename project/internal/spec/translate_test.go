package spec

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/state"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
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
		got := PortMappings(compose.ServiceConfig{Name: "web", Ports: []compose.ServicePortConfig{tt.in}})
		if diff := cmp.Diff([]netdriver.PortMapping{tt.want}, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
			t.Errorf("PortMappings(%+v) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestEnvironment: env_file files are read by the loader, once, as Compose parses them
// (quotes, export, comments), under the service's environment; a bare key takes the
// project environment's value or is left out. The spec has no env-file parser of its own.
func TestEnvironment(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.env"), []byte("# comment\nA=from-file\nexport B=\"quoted\"\nC=file\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  app:\n    image: x\n    env_file: [app.env]\n    environment: {C: env, D: null, E: null}\n"), 0o644)
	p, err := compose.Load(context.Background(), compose.Options{WorkingDir: dir, Environ: map[string]string{"D": "host"}})
	if err != nil {
		t.Fatal(err)
	}
	svc := p.Services["app"]
	if len(svc.EnvFiles) != 0 {
		t.Fatalf("EnvFiles = %v after Load, want them folded into environment", svc.EnvFiles)
	}
	got, err := environment(p, svc)
	if err != nil {
		t.Fatalf("environment: %v", err)
	}
	want := []string{"A=from-file", "B=quoted", "C=env", "D=host"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("environment mismatch (-want +got):\n%s", diff)
	}
}

func TestHostsFile(t *testing.T) {
	svc := compose.ServiceConfig{ExtraHosts: compose.HostsList{"db.local": {"10.0.0.5"}}}
	got := hostsFile(svc, "abc", []netip.Addr{netip.MustParseAddr("10.240.0.2")}, netip.Addr{})
	want := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.240.0.2\tabc\n10.0.0.5\tdb.local\n"
	if got != want {
		t.Errorf("hostsFile = %q, want %q", got, want)
	}
}

// TestHostGateway: extra_hosts' host-gateway is the host's address as the container
// reaches it: its network's gateway, the loopback with network_mode: host, else left out.
func TestHostGateway(t *testing.T) {
	head := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
	gw := netip.MustParseAddr("10.240.0.1")
	for _, c := range []struct {
		name, mode string
		gateway    netip.Addr
		want       string
	}{
		{"network", "", gw, "10.240.0.1\thost.docker.internal\n"},
		{"host", "host", netip.Addr{}, "127.0.0.1\thost.docker.internal\n"},
		{"none", "none", netip.Addr{}, ""},
	} {
		svc := compose.ServiceConfig{NetworkMode: c.mode, ExtraHosts: compose.HostsList{"host.docker.internal": {"host-gateway"}}}
		if got := hostsFile(svc, "abc", nil, hostGateway(svc, c.gateway)); got != head+c.want {
			t.Errorf("%s: hostsFile = %q, want %q", c.name, got, head+c.want)
		}
	}
}

// TestTmpfsMount: the loader's reading of a tmpfs: entry becomes the engine's mount,
// noexec unless exec is given.
func TestTmpfsMount(t *testing.T) {
	tests := []struct {
		in   string
		want engine.Mount
	}{
		{"/run", engine.Mount{Type: "tmpfs", Target: "/run", NoExec: true}},
		{"/run:size=1m", engine.Mount{Type: "tmpfs", Target: "/run", NoExec: true, Size: 1 << 20}},
		{"/data:rw,exec,size=64k,mode=0750,uid=1000,gid=1000", engine.Mount{Type: "tmpfs", Target: "/data", Size: 64 << 10,
			Mode: 0o750, TmpfsData: "uid=1000,gid=1000"}},
		{"/ro:ro,nosuid,nodev,noexec", engine.Mount{Type: "tmpfs", Target: "/ro", ReadOnly: true, NoExec: true}},
	}
	for _, tt := range tests {
		if got := tmpfsMount(tt.in); got != tt.want {
			t.Errorf("tmpfsMount(%q) = %+v; want %+v", tt.in, got, tt.want)
		}
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
	p := &compose.Project{}
	if err := CheckSupported(p, compose.ServiceConfig{Name: "web", Image: "x", DeviceCgroupRules: rules}); err != nil {
		t.Errorf("CheckSupported(%q) = %v, want nil", rules, err)
	}
	for _, bad := range []string{"c 1:3", "x 1:3 r", "c 1:3 rwx", "c1:3 r"} {
		err := CheckSupported(p, compose.ServiceConfig{Name: "web", Image: "x", DeviceCgroupRules: []string{"c 1:3 r", bad}})
		if paths := errorPaths(err); !slices.Equal(paths, []string{"services.web.device_cgroup_rules[1]"}) || !errors.Is(err, compose.ErrInvalid) {
			t.Errorf("CheckSupported(%q) = %v, want an error at services.web.device_cgroup_rules[1]", bad, err)
		}
	}
}

func imageWithVolumes(paths ...string) v1.Config {
	c := v1.Config{Volumes: map[string]struct{}{}}
	for _, p := range paths {
		c.Volumes[p] = struct{}{}
	}
	return c
}

func TestMountsAnonymous(t *testing.T) {
	cfg := state.Paths{Root: "/r"}
	p := &compose.Project{Name: "p", Volumes: map[string]compose.VolumeConfig{"db": {}}}
	svc := compose.ServiceConfig{Name: "s", Volumes: []compose.ServiceVolumeConfig{
		{Type: "volume", Target: "/data/sub"},
		{Type: "volume", Source: "db", Target: "/db", Volume: &compose.ServiceVolumeVolume{NoCopy: true}},
		{Type: "bind", Source: "/host", Target: "/data/sub/host", ReadOnly: true},
	}}
	anon := map[string]string{"/data/sub": "aaa", "/data": "bbb"}
	got, err := mounts(cfg, p, svc, imageWithVolumes("/data", "/db"), anon)
	if err != nil {
		t.Fatal(err)
	}
	want := []engine.Mount{
		{Type: "bind", Source: "/r/volumes/p_db/_data", Target: "/db"},
		{Type: "bind", Source: "/r/volumes/bbb/_data", Target: "/data", CopyUp: true},
		{Type: "bind", Source: "/r/volumes/aaa/_data", Target: "/data/sub", CopyUp: true},
		{Type: "bind", Source: "/host", Target: "/data/sub/host", ReadOnly: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mounts() mismatch (-want +got):\n%s", diff)
	}
}

func TestAnonymousTargets(t *testing.T) {
	tests := []struct {
		name string
		vols []compose.ServiceVolumeConfig
		tmp  []string
		img  v1.Config
		want []string
	}{
		{name: "none", vols: []compose.ServiceVolumeConfig{{Type: "bind", Source: "/h", Target: "/b"}}},
		{name: "service volume without source",
			vols: []compose.ServiceVolumeConfig{{Type: "volume", Target: "/data/"}, {Type: "volume", Source: "db", Target: "/db"}},
			want: []string{"/data"}},
		{name: "image volume", img: imageWithVolumes("/var/lib/x", "cache/"), want: []string{"/cache", "/var/lib/x"}},
		{name: "image volume covered by a named volume, a bind and a tmpfs",
			vols: []compose.ServiceVolumeConfig{{Type: "volume", Source: "db", Target: "/a"}, {Type: "bind", Source: "/h", Target: "/b/"}},
			tmp:  []string{"/c"}, img: imageWithVolumes("/a", "/b", "/c", "/d"), want: []string{"/d"}},
		{name: "image volume covered by an anonymous one counts once",
			vols: []compose.ServiceVolumeConfig{{Type: "volume", Target: "/data"}, {Type: "volume", Target: "/data"}},
			img:  imageWithVolumes("/data"), want: []string{"/data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := compose.ServiceConfig{Name: "s", Volumes: tt.vols, Tmpfs: tt.tmp}
			if got := AnonymousTargets(svc, tt.img); !cmp.Equal(got, tt.want) {
				t.Errorf("AnonymousTargets() = %q, want %q", got, tt.want)
			}
		})
	}
}
