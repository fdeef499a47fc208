package compose

import (
	"context"
	"testing"
	"time"

	"github.com/berth-dev/berth/compose/interp"
	"github.com/google/go-cmp/cmp"
)

// mustLoad loads one compose.yaml with the given content from a temp directory.
func mustLoad(t *testing.T, content string) *Project {
	t.Helper()
	dir := writeFiles(t, map[string]string{"compose.yaml": content})
	p, err := Load(context.Background(), Options{WorkingDir: dir, Environ: map[string]string{"HOME": "/home/u", "TAG": "1.27"}})
	if err != nil {
		t.Fatalf("Load(%q) = %v, want success", content, err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

func TestTypedService(t *testing.T) {
	p := mustLoad(t, `
services:
  web:
    image: nginx:${TAG}
    command: nginx -g "daemon off;"
    ports: ["127.0.0.1:8080:80/tcp"]
    volumes: ["data:/data:ro"]
    environment: [A=1, HOME, UNSET]
    mem_limit: 512m
    stop_grace_period: 1m30s
    healthcheck: {test: curl -f localhost, interval: 10s, retries: 3}
    depends_on: {db: {condition: service_healthy, restart: true}}
    networks: {back: {aliases: [www], ipv4_address: 10.5.0.9, priority: 5}}
    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 512}
    deploy: {resources: {limits: {cpus: "0.5", memory: 512m}}}
    x-note: hi
  db:
    image: postgres
    healthcheck: {test: [CMD, pg_isready]}
networks: {back: {}}
volumes: {data: {}}
`)
	web := p.Services["web"]
	want := ServiceConfig{
		Name:        "web",
		Image:       "nginx:1.27",
		Command:     ShellCommand{"nginx", "-g", "daemon off;"},
		Ports:       []ServicePortConfig{{Mode: "ingress", HostIP: "127.0.0.1", Target: 80, Published: "8080", Protocol: "tcp"}},
		Volumes:     []ServiceVolumeConfig{{Type: "volume", Source: "data", Target: "/data", ReadOnly: true, Volume: &ServiceVolumeVolume{}}},
		Environment: MappingWithEquals{"A": ptr("1"), "HOME": ptr("/home/u"), "UNSET": nil},
		MemLimit:    512 << 20,
		HealthCheck: &HealthCheckConfig{Test: HealthCheckTest{"CMD-SHELL", "curl -f localhost"}, Interval: ptr(Duration(10 * time.Second)), Retries: ptr(uint64(3))},
		DependsOn:   DependsOnConfig{"db": {Condition: ServiceConditionHealthy, Restart: true, Required: true}},
		Networks:    map[string]*ServiceNetworkConfig{"back": {Aliases: []string{"www"}, Ipv4Address: "10.5.0.9", Priority: 5}},
		Ulimits:     map[string]*UlimitsConfig{"nofile": {Soft: 1024, Hard: 2048}, "nproc": {Single: 512}},
		Deploy:      &DeployConfig{Resources: Resources{Limits: &Resource{NanoCPUs: 0.5, MemoryBytes: 512 << 20}}},
		Extensions:  Extensions{"x-note": "hi"},
	}
	grace := Duration(90 * time.Second)
	want.StopGracePeriod = &grace
	if diff := cmp.Diff(want, web); diff != "" {
		t.Errorf("Load(...).Services[web] mismatch (-want +got):\n%s", diff)
	}
	if got := time.Duration(*web.StopGracePeriod); got != 90*time.Second {
		t.Errorf("StopGracePeriod = %v, want 1m30s", got)
	}
	if _, ok := p.Networks["back"]; !ok {
		t.Errorf("Networks = %v, want back", p.Networks)
	}
	if got := p.Volumes["data"].Name; got != p.Name+"_data" {
		t.Errorf("Volumes[data].Name = %q, want %q", got, p.Name+"_data")
	}
	if got := p.ServiceNames(); !cmp.Equal(got, []string{"db", "web"}) {
		t.Errorf("ServiceNames() = %v, want [db web]", got)
	}
}

func TestTypedDollar(t *testing.T) {
	p := mustLoad(t, "services: {a: {image: x, command: echo $$HOME}}")
	if got, want := p.Services["a"].Command, (ShellCommand{"echo", "$HOME"}); !cmp.Equal(got, want) {
		t.Errorf("Services[a].Command = %q, want %q", got, want)
	}
}

func TestVariables(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": `
services:
  app:
    image: "${REGISTRY:-docker.io}/app:${TAG?tag needed}"
    environment:
      A: $$ESCAPED ${ALT:+yes}
      B: ${TAG}
`})
	p, err := Load(context.Background(), Options{WorkingDir: dir, NoInterpolate: true})
	if err != nil {
		t.Fatalf("Load(NoInterpolate) = %v", err)
	}
	want := []interp.Variable{
		{Name: "ALT", AlternateValue: "yes"},
		{Name: "REGISTRY", DefaultValue: "docker.io"},
		{Name: "TAG", Required: true},
	}
	if diff := cmp.Diff(want, p.Variables()); diff != "" {
		t.Errorf("Variables() mismatch (-want +got):\n%s", diff)
	}
}
