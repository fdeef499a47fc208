package spec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/google/go-cmp/cmp"
)

// errorPaths are the field paths of a compose.ErrorList (nil for another error).
func errorPaths(err error) []string {
	var list compose.ErrorList
	if !errors.As(err, &list) {
		return nil
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Path)
	}
	return out
}

// TestCheckSupported lists, in one error, every problem of a service (values Docker
// refuses, settings berth does not run, a bind device missing on this host), each at
// its place in the compose file.
func TestCheckSupported(t *testing.T) {
	dir := t.TempDir()
	yaml := `services:
  web:
    image: nginx
    restart: sometimes
    network_mode: "bridge"
    volumes:
      - type: npipe
        source: x
        target: /x
      - data:/data
    ports:
      - target: 80
        published: "70000"
  db:
    provider:
      type: model
  ok:
    image: nginx
    network_mode: host
    volumes: [good:/good]
volumes:
  data:
    driver_opts: {type: none, o: bind, device: /nonexistent-berth-device}
  good:
    driver_opts: {type: none, o: bind, device: ` + dir + `}
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := compose.Load(context.Background(), compose.Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	err = CheckSupported(p, p.Services["web"])
	var got []string
	for _, line := range strings.Split(errorText(err), "\n") {
		got = append(got, strings.TrimPrefix(line, dir+"/"))
	}
	want := []string{
		`compose.yaml:4:14: services.web.restart: "sometimes": want no, always, on-failure[:max-retries] or unless-stopped`,
		`compose.yaml:5:19: services.web.network_mode: "bridge" is not supported (host, none, service:NAME and container:NAME are)`,
		`compose.yaml:7:15: services.web.volumes[0].type: volume type "npipe" is not supported`,
		`compose.yaml:13:20: services.web.ports[0].published: "70000": want a port or a range of ports (8000-8010) up to 65535`,
		`compose.yaml:23:48: volumes.data.driver_opts.device: stat /nonexistent-berth-device: no such file or directory`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CheckSupported(web) mismatch (-want +got):\n%s", diff)
	}
	if !errors.Is(err, compose.ErrInvalid) {
		t.Errorf("CheckSupported(web) = %v, want compose.ErrInvalid", err)
	}
	if paths := errorPaths(CheckSupported(p, p.Services["db"])); !cmp.Equal(paths, []string{"services.db"}) {
		t.Errorf("CheckSupported(db) paths = %q, want services.db (a provider service)", paths)
	}
	if err := CheckSupported(p, p.Services["ok"]); err != nil {
		t.Errorf("CheckSupported(ok) = %v, want nil", err)
	}
}

// errorText is err's message, "" for nil.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestCheckSupportedIPAM: the ipam.config values of a service's networks that Docker
// refuses at network create are refused at their place; other networks are not looked at.
func TestCheckSupportedIPAM(t *testing.T) {
	dir := t.TempDir()
	yaml := `services:
  web:
    image: nginx
    networks: [front]
  ok:
    image: nginx
networks:
  front:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.5.0.0/24
          gateway: 10.6.0.1
          ip_range: 10.5.0.0/16
        - subnet: "fd00::/64"
          ip_range: "fd00::100/120"
        - subnet: nonsense
  unused:
    ipam: {config: [{subnet: bad}]}
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := compose.Load(context.Background(), compose.Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := errorPaths(CheckSupported(p, p.Services["web"]))
	want := []string{"networks.front.ipam.config[0].gateway", "networks.front.ipam.config[0].ip_range", "networks.front.ipam.config[2].subnet"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CheckSupported(web) paths mismatch (-want +got):\n%s", diff)
	}
	if err := CheckSupported(p, p.Services["ok"]); err != nil {
		t.Errorf("CheckSupported(ok) = %v, want nil", err)
	}
}
