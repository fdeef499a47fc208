package spec

import (
	"errors"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
	"github.com/google/go-cmp/cmp"
)

// A container joining another's network takes its namespace, hostname and /etc files.
func TestBuildNetPeer(t *testing.T) {
	p := loadYAML(t, `services:
  web: {image: busybox}
  side: {image: busybox, network_mode: "service:web"}
`)
	peer := &engine.Spec{NetNSPath: "/run/berth/netns/web-id", Hostname: "webhost", Domainname: "example.org",
		Hosts: "10.0.0.2\twebhost\n", ResolvConf: "nameserver 10.0.0.1\n"}
	c := &state.ContainerState{ID: "side-id", Hostname: "webhost", Labels: map[string]string{}}
	spec, err := Build(state.Paths{Root: t.TempDir(), RuntimeDir: t.TempDir()}, p, c, p.Services["side"], imageWithVolumes(), nil, Resources{NetPeer: peer})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	got := engine.Spec{NetNSPath: spec.NetNSPath, HostNetwork: spec.HostNetwork, SharedNetNS: spec.SharedNetNS,
		Hostname: spec.Hostname, Domainname: spec.Domainname, Hosts: spec.Hosts, ResolvConf: spec.ResolvConf}
	want := *peer
	want.SharedNetNS = true
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Build with a network peer (-want +got):\n%s", diff)
	}
}

// A peer without a persistent network namespace (network_mode none) is joined through
// its PID 1's, which the engine finds at start.
func TestJoinNetworkOfPID1(t *testing.T) {
	var spec engine.Spec
	joinNetwork(&spec, &engine.Spec{ID: "lonely-id"})
	if spec.NetNSPath != "container:lonely-id" || !spec.SharedNetNS {
		t.Errorf("joinNetwork(network_mode none peer) = NetNSPath %q, SharedNetNS %v; want container:lonely-id, true", spec.NetNSPath, spec.SharedNetNS)
	}
}

func TestCheckSupportedNetworkMode(t *testing.T) {
	tests := []struct {
		name string
		svc  compose.ServiceConfig
		ok   bool
	}{
		{"host", compose.ServiceConfig{NetworkMode: "host", Hostname: "h", Ports: []compose.ServicePortConfig{{Target: 80}}}, true},
		{"none", compose.ServiceConfig{NetworkMode: "none"}, true},
		{"service", compose.ServiceConfig{NetworkMode: "service:web"}, true},
		{"container", compose.ServiceConfig{NetworkMode: "container:other-1"}, true},
		{"unknown", compose.ServiceConfig{NetworkMode: "bridge:x"}, false},
		{"ports", compose.ServiceConfig{NetworkMode: "service:web", Ports: []compose.ServicePortConfig{{Target: 80}}}, false},
		{"expose", compose.ServiceConfig{NetworkMode: "container:other-1", Expose: compose.StringOrNumberList{"80"}}, false},
		{"hostname", compose.ServiceConfig{NetworkMode: "service:web", Hostname: "h"}, false},
		{"dns", compose.ServiceConfig{NetworkMode: "service:web", DNS: compose.StringList{"1.1.1.1"}}, false},
		{"mac", compose.ServiceConfig{NetworkMode: "service:web", MacAddress: "02:42:ac:11:00:02"}, false},
		{"links", compose.ServiceConfig{NetworkMode: "service:web", Links: []string{"db"}}, false},
	}
	for _, tt := range tests {
		svc := tt.svc
		svc.Name, svc.Image = "side", "x"
		err := CheckSupported(&compose.Project{Name: "p"}, svc)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, compose.ErrInvalid)) {
			t.Errorf("CheckSupported(%s) = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestCheckNamespaces(t *testing.T) {
	tests := []struct {
		uts, ipc, pid string
		ok            bool
	}{
		{"", "", "", true},
		{"host", "host", "host", true},
		{"", "shareable", "service:app", true},
		{"", "private", "container:other-1", true},
		{"", "service:app", "", true},
		{"service:app", "", "", false},
		{"private", "", "", false},
		{"", "none", "", true},
		{"", "nothing", "", false},
		{"", "", "private", false},
		{"", "service:", "", false},
	}
	for _, tt := range tests {
		svc := compose.ServiceConfig{Name: "debug", Image: "x", Uts: tt.uts, Ipc: tt.ipc, Pid: tt.pid}
		err := CheckSupported(&compose.Project{Name: "p"}, svc)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, compose.ErrInvalid)) {
			t.Errorf("CheckSupported(uts %q, ipc %q, pid %q) = %v, want ok %v", tt.uts, tt.ipc, tt.pid, err, tt.ok)
		}
	}
}

// A service's uts, ipc and pid become the engine's modes, service: and container: the
// joined container's ID.
func TestNamespaceModes(t *testing.T) {
	var spec engine.Spec
	namespaceModes(&spec, compose.ServiceConfig{Uts: "host", Ipc: "service:app", Pid: "container:x-1"}, Resources{IPCPeer: "app-id", PIDPeer: "x-id"})
	if spec.UTSMode != "host" || spec.IPCMode != "container:app-id" || spec.PIDMode != "container:x-id" {
		t.Errorf("namespaceModes = uts %q ipc %q pid %q, want host, container:app-id, container:x-id", spec.UTSMode, spec.IPCMode, spec.PIDMode)
	}
}

func TestParseVolumesFrom(t *testing.T) {
	tests := []struct{ entry, ref, mode string }{
		{"db", "service:db", ""},
		{"db:ro", "service:db", "ro"},
		{"container:x-1", "container:x-1", ""},
		{"container:x-1:rw", "container:x-1", "rw"},
	}
	for _, tt := range tests {
		if ref, mode := ParseVolumesFrom(tt.entry); ref != tt.ref || mode != tt.mode {
			t.Errorf("ParseVolumesFrom(%q) = %q, %q; want %q, %q", tt.entry, ref, mode, tt.ref, tt.mode)
		}
	}
	for _, bad := range []string{"db:rx", ":ro", "container:", "container::ro"} {
		err := CheckSupported(&compose.Project{Name: "p"}, compose.ServiceConfig{Name: "app", Image: "x", VolumesFrom: []string{"db", bad}})
		if !errors.Is(err, compose.ErrInvalid) {
			t.Errorf("CheckSupported(volumes_from %q) = %v, want ErrInvalid", bad, err)
		}
	}
}

// volumes_from gives the source's binds and image mounts (not its tmpfs), its access
// mode overridden by :ro or :rw; the service's own mount at a target wins, else the
// last source's.
func TestInheritedMounts(t *testing.T) {
	source := engine.Spec{Mounts: []engine.Mount{
		{Type: "bind", Source: "/v/data", Target: "/data", CopyUp: true},
		{Type: "bind", Source: "/v/conf", Target: "/conf", ReadOnly: true},
		{Type: "tmpfs", Target: "/cache"},
	}}
	tests := []struct {
		mode string
		want []engine.Mount
	}{
		{"", []engine.Mount{{Type: "bind", Source: "/v/data", Target: "/data"}, {Type: "bind", Source: "/v/conf", Target: "/conf", ReadOnly: true}}},
		{"ro", []engine.Mount{{Type: "bind", Source: "/v/data", Target: "/data", ReadOnly: true}, {Type: "bind", Source: "/v/conf", Target: "/conf", ReadOnly: true}}},
		{"rw", []engine.Mount{{Type: "bind", Source: "/v/data", Target: "/data"}, {Type: "bind", Source: "/v/conf", Target: "/conf"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, InheritedMounts(source, tt.mode)); diff != "" {
			t.Errorf("InheritedMounts(%q) (-want +got):\n%s", tt.mode, diff)
		}
	}
	own := []engine.Mount{{Type: "bind", Source: "/mine", Target: "/conf"}}
	inherited := []engine.Mount{{Type: "bind", Source: "/a", Target: "/data"}, {Type: "bind", Source: "/a2", Target: "/conf"}, {Type: "bind", Source: "/b", Target: "/data"}}
	want := []engine.Mount{{Type: "bind", Source: "/mine", Target: "/conf"}, {Type: "bind", Source: "/b", Target: "/data"}}
	if diff := cmp.Diff(want, withInherited(own, inherited)); diff != "" {
		t.Errorf("withInherited (-want +got):\n%s", diff)
	}
}
