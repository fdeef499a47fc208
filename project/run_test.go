package project

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/google/go-cmp/cmp"
)

func TestParsePublish(t *testing.T) {
	tests := []struct {
		spec    string
		want    compose.ServicePortConfig
		wantErr string
	}{
		{"80", compose.ServicePortConfig{Mode: "ingress", Target: 80, Protocol: "tcp"}, ""},
		{"8080:80", compose.ServicePortConfig{Mode: "ingress", Target: 80, Published: "8080", Protocol: "tcp"}, ""},
		{"127.0.0.1:8080:80/udp", compose.ServicePortConfig{Mode: "ingress", HostIP: "127.0.0.1", Target: 80, Published: "8080", Protocol: "udp"}, ""},
		{"127.0.0.1::80", compose.ServicePortConfig{Mode: "ingress", HostIP: "127.0.0.1", Target: 80, Protocol: "tcp"}, ""},
		{"8000-8001:80", compose.ServicePortConfig{Mode: "ingress", Target: 80, Published: "8000-8001", Protocol: "tcp"}, ""},
		{"80/icmp", compose.ServicePortConfig{}, `-p "80/icmp": protocol must be tcp, udp or sctp: invalid`},
		{"x:80", compose.ServicePortConfig{}, `-p "x:80": host port "x" is not a port number or range: invalid`},
		{"8080:http", compose.ServicePortConfig{}, `-p "8080:http": container port "http" is not a port number: invalid`},
		{"1:2:3:4", compose.ServicePortConfig{}, `-p "1:2:3:4": want [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]: invalid`},
	}
	for _, tt := range tests {
		got, err := parsePublish(tt.spec)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrInvalid) {
				t.Errorf("parsePublish(%q) = %v, want error %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parsePublish(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
}

func TestParseRunVolume(t *testing.T) {
	p := &compose.Project{WorkingDir: "/src", Volumes: map[string]compose.VolumeConfig{"data": {}}}
	tests := []struct {
		spec    string
		want    compose.ServiceVolumeConfig
		wantErr string
	}{
		{"/host:/c", compose.ServiceVolumeConfig{Type: "bind", Source: "/host", Target: "/c"}, ""},
		{"./sub:/c/:ro", compose.ServiceVolumeConfig{Type: "bind", Source: "/src/sub", Target: "/c", ReadOnly: true}, ""},
		{"../up:/c:rw,z", compose.ServiceVolumeConfig{Type: "bind", Source: "/up", Target: "/c"}, ""},
		{"data:/d", compose.ServiceVolumeConfig{Type: "volume", Source: "data", Target: "/d"}, ""},
		{"other:/d", compose.ServiceVolumeConfig{}, `-v "other:/d": volume "other" is not declared in the project's volumes: not found`},
		{"/c", compose.ServiceVolumeConfig{}, `-v "/c": want SOURCE:TARGET[:ro] (anonymous volumes are not supported): invalid`},
		{"/h:rel", compose.ServiceVolumeConfig{}, `-v "/h:rel": target "rel" is not an absolute path: invalid`},
	}
	for _, tt := range tests {
		got, err := parseRunVolume(p, tt.spec)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("parseRunVolume(%q) = %v, want error %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("parseRunVolume(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", []string{}, false},
		{"sh -c 'echo a  b'", []string{"sh", "-c", "echo a  b"}, false},
		{`a "b \"c\" d" e\ f ''`, []string{"a", `b "c" d`, "e f", ""}, false},
		{"  spaced\targs \n", []string{"spaced", "args"}, false},
		{"'open", nil, true},
		{`trailing\`, nil, true},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.in)
		if (err != nil) != tt.wantErr || !cmp.Equal(got, tt.want) {
			t.Errorf("ParseCommand(%q) = %q, %v; want %q (error: %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestOneoffService(t *testing.T) {
	p := loadYAML(t, `name: demo
services:
  web:
    image: busybox
    container_name: fixed
    entrypoint: ["/entry"]
    command: ["serve"]
    restart: always
    tty: true
    environment: {KEEP: k, OVER: service}
    ports: ["8080:80"]
    volumes: ["/a:/a"]
    labels: {tier: front, keep: "1"}
    cap_add: [NET_ADMIN, SYS_TIME]
    cap_drop: [CHOWN]
`)
	p.Env = map[string]string{"FROM_ENV": "e"}
	svc := p.Services["web"]
	one, err := oneoffService(p, svc, RunOptions{Cmd: []string{"job"}, Env: []string{"OVER=flag", "FROM_ENV", "UNSET"},
		Publish: []string{"9090:90"}, Volumes: []string{"/b:/b"}, User: "nobody", WorkingDir: "/w",
		Labels: map[string]string{"tier": "back", "new": "x"}, CapAdd: []string{"CHOWN"}, CapDrop: []string{"SYS_TIME", "KILL"}})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for k, v := range one.Environment {
		env[k] = *v
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"container_name", one.ContainerName, ""},
		{"restart", one.Restart, ""},
		{"tty", one.Tty, false},
		{"entrypoint", []string(one.Entrypoint), []string{"/entry"}},
		{"command", []string(one.Command), []string{"job"}},
		{"environment", env, map[string]string{"KEEP": "k", "OVER": "flag", "FROM_ENV": "e"}},
		{"ports", len(one.Ports), 1},
		{"published", one.Ports[0].Published, "9090"},
		{"volumes", len(one.Volumes), 2},
		{"user", one.User, "nobody"},
		{"working_dir", one.WorkingDir, "/w"},
		{"labels", map[string]string(one.Labels), map[string]string{"tier": "back", "keep": "1", "new": "x"}},
		{"cap_add", one.CapAdd, []string{"NET_ADMIN", "CHOWN"}},
		{"cap_drop", one.CapDrop, []string{"SYS_TIME", "KILL"}},
		{"service untouched", len(svc.Ports) + len(svc.Volumes) + len(svc.Environment) + len(svc.Labels) + len(svc.CapAdd) + len(svc.CapDrop), 9},
	}
	for _, c := range checks {
		if !cmp.Equal(c.got, c.want) {
			t.Errorf("oneoffService: %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	one, _ = oneoffService(p, svc, RunOptions{Entrypoint: []string{"sh"}, ServicePorts: true})
	if len(one.Command) != 0 || one.Command == nil || len(one.Ports) != 1 {
		t.Errorf("oneoffService(--entrypoint, --service-ports) = command %q, ports %v; want an empty command and the service's port", one.Command, one.Ports)
	}
}

func TestOneoffName(t *testing.T) {
	if got := oneoffName("p", "web", "mine"); got != "mine" {
		t.Errorf("oneoffName with --name = %q, want mine", got)
	}
	got := oneoffName("p", "web", "")
	if m, _ := filepath.Match("p-web-run-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]", got); !m {
		t.Errorf("oneoffName = %q, want p-web-run-<12 hex>", got)
	}
}
