package project

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/google/go-cmp/cmp"
)

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
