package apply

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/state"
)

// fakeAttacher is a network driver that logs its calls and checks that the namespace
// was recorded in the container before it is attached.
type fakeAttacher struct {
	c     *state.ContainerState
	calls []string
	next  int
}

var _ Attacher = (*fakeAttacher)(nil)

func (f *fakeAttacher) CreateNetns(id string) (string, error) {
	f.calls = append(f.calls, "netns "+id)
	return "/run/netns/" + id, nil
}

func (f *fakeAttacher) Attach(_ context.Context, ns, network string, opts netdriver.AttachOptions) (*netdriver.Endpoint, error) {
	if f.c.NetNS != ns {
		return nil, fmt.Errorf("attach before the netns %s was recorded", ns)
	}
	f.calls = append(f.calls, fmt.Sprintf("attach %s %v", network, opts.IPv4))
	f.next++
	addr := netip.AddrFrom4([4]byte{10, 9, byte(f.next), 2})
	return &netdriver.Endpoint{Key: "ep-" + network, Address: netip.PrefixFrom(addr, 24),
		Gateway: netip.AddrFrom4([4]byte{10, 9, byte(f.next), 1})}, nil
}

func (f *fakeAttacher) PublishPorts(_ context.Context, key string, ports []netdriver.PortMapping) ([]netdriver.PortMapping, error) {
	f.calls = append(f.calls, fmt.Sprintf("publish %s %d", key, len(ports)))
	out := slices.Clone(ports)
	for i := range out {
		if out[i].HostPort == 0 {
			out[i].HostPort = 32768 + uint16(i)
		}
	}
	return out, nil
}

// TestAttach: the namespace is recorded before it is attached, networks go highest
// priority first with their fixed address, ports are published on the first network
// and recorded in the container, and the state is saved.
func TestAttach(t *testing.T) {
	p := load(t, `name: demo
services:
  web:
    image: busybox
    ports: ["8080:80", "81"]
    networks:
      back: {ipv4_address: 10.9.9.9}
      front: {priority: 10}
networks:
  front:
  back:
`)
	st := &state.State{Name: "demo", Networks: map[string]state.NetworkState{
		"front": {Name: "demo_front"}, "back": {Name: "demo_back"}}}
	c := &state.ContainerState{ID: "c1", Name: "demo-web-1", Service: "web", Addresses: map[string]string{}}
	saved := 0
	tg := Target{P: p, St: st, Save: func() error { saved++; return nil }}
	nd := &fakeAttacher{c: c}
	var mu sync.Mutex
	addrs, gw, err := Attach(t.Context(), tg, &mu, nd, c, p.Services["web"])
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	want := []string{"netns c1", "attach demo_front invalid IP", "attach demo_back 10.9.9.9", "publish ep-demo_front 2"}
	if !slices.Equal(nd.calls, want) {
		t.Errorf("driver calls = %q, want %q", nd.calls, want)
	}
	if len(addrs) != 2 || gw.String() != "10.9.1.1" || c.Addresses["demo_back"] != "10.9.2.2" {
		t.Errorf("Attach = %v, %v; addresses %v; want both addresses and front's gateway", addrs, gw, c.Addresses)
	}
	wantPorts := []state.PortState{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}, {HostPort: 32769, ContainerPort: 81, Protocol: "tcp"}}
	if !slices.Equal(c.Ports, wantPorts) || saved == 0 {
		t.Errorf("recorded ports = %+v (saved %d), want %+v", c.Ports, saved, wantPorts)
	}
	none := &state.ContainerState{ID: "c2"}
	nd2 := &fakeAttacher{c: none}
	p2 := load(t, "services:\n  tool:\n    image: busybox\n    network_mode: none\n")
	if addrs, gw, err := Attach(t.Context(), tg, &mu, nd2, none, p2.Services["tool"]); err != nil || addrs != nil || gw.IsValid() || len(nd2.calls) != 0 {
		t.Errorf("Attach(network_mode none) = %v, %v, %v, calls %q; want nothing", addrs, gw, err, nd2.calls)
	}
}
