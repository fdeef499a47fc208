package netdriver

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func TestDefaultPools(t *testing.T) {
	pools := DefaultPools()
	if got, want := len(pools), 14+16; got != want {
		t.Fatalf("len(DefaultPools()) = %d, want %d", got, want)
	}
	for _, want := range []netip.Prefix{pfx("172.18.0.0/16"), pfx("172.31.0.0/16"), pfx("192.168.240.0/20")} {
		found := false
		for _, p := range pools {
			found = found || p == want
		}
		if !found {
			t.Errorf("DefaultPools() lacks %s", want)
		}
	}
	for _, p := range pools {
		if p.Overlaps(pfx("172.17.0.0/16")) {
			t.Errorf("DefaultPools() has %s, which overlaps docker0's 172.17.0.0/16", p)
		}
	}
}

func TestPickSubnet(t *testing.T) {
	pools := []netip.Prefix{pfx("10.231.0.0/24"), pfx("10.231.1.0/24"), pfx("10.231.2.0/24")}
	tests := []struct {
		name         string
		used, routed []netip.Prefix
		want         netip.Prefix
		wantErr      error
	}{
		{name: "first free", want: pfx("10.231.0.0/24")},
		{name: "skips used", used: []netip.Prefix{pfx("10.231.0.0/24")}, want: pfx("10.231.1.0/24")},
		{name: "skips routed", routed: []netip.Prefix{pfx("10.231.0.128/25"), pfx("10.231.1.7/32")}, want: pfx("10.231.2.0/24")},
		{name: "default route ignored", routed: []netip.Prefix{pfx("0.0.0.0/0")}, want: pfx("10.231.0.0/24")},
		{name: "routed supernet", routed: []netip.Prefix{pfx("10.0.0.0/8")}, wantErr: ErrExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pickSubnet(pools, tt.used, tt.routed)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("pickSubnet() = %v, %v, want %v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestPickAddr(t *testing.T) {
	subnet := pfx("10.231.5.0/29")
	taken := map[netip.Addr]bool{addr("10.231.5.1"): true, addr("10.231.5.2"): true}
	subnet6 := pfx("fd12:3456:789a:1::/64")
	taken6 := map[netip.Addr]bool{addr("fd12:3456:789a:1::1"): true}
	tests := []struct {
		name    string
		subnet  netip.Prefix // default subnet
		rng     netip.Prefix
		static  netip.Addr
		taken   map[netip.Addr]bool
		want    netip.Addr
		wantErr error
	}{
		{name: "lowest free", taken: taken, want: addr("10.231.5.3")},
		{name: "ip_range", rng: pfx("10.231.5.4/30"), taken: taken, want: addr("10.231.5.4")},
		{name: "ip_range without broadcast", rng: pfx("10.231.5.6/31"), taken: taken, want: addr("10.231.5.6")},
		{name: "ip_range full", rng: pfx("10.231.5.0/31"), taken: taken, wantErr: ErrExists},
		{name: "static outside ip_range", rng: pfx("10.231.5.4/30"), static: addr("10.231.5.3"), taken: taken, want: addr("10.231.5.3")},
		{name: "ipv6 lowest free", subnet: subnet6, taken: taken6, want: addr("fd12:3456:789a:1::2")},
		{name: "ipv6 ip_range", subnet: subnet6, rng: pfx("fd12:3456:789a:1::100/120"), taken: taken6, want: addr("fd12:3456:789a:1::100")},
		{name: "ipv6 static", subnet: subnet6, static: addr("fd12:3456:789a:1:ffff:ffff:ffff:ffff"), taken: taken6,
			want: addr("fd12:3456:789a:1:ffff:ffff:ffff:ffff")},
		{name: "ipv6 static in v4 subnet", static: addr("fd12:3456:789a:1::5"), taken: taken, wantErr: ErrInvalid},
		{name: "static", static: addr("10.231.5.6"), taken: taken, want: addr("10.231.5.6")},
		{name: "static taken", static: addr("10.231.5.2"), taken: taken, wantErr: ErrExists},
		{name: "static outside", static: addr("10.231.6.2"), taken: taken, wantErr: ErrInvalid},
		{name: "static broadcast", static: addr("10.231.5.7"), taken: taken, wantErr: ErrInvalid},
		{name: "static network", static: addr("10.231.5.0"), taken: taken, wantErr: ErrInvalid},
		{name: "full", taken: map[netip.Addr]bool{addr("10.231.5.1"): true, addr("10.231.5.2"): true,
			addr("10.231.5.3"): true, addr("10.231.5.4"): true, addr("10.231.5.5"): true, addr("10.231.5.6"): true},
			wantErr: ErrExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sn := subnet
			if tt.subnet.IsValid() {
				sn = tt.subnet
			}
			got, err := pickAddr(sn, tt.rng, tt.static, tt.taken)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("pickAddr(%s, %s, %v) = %v, %v, want %v, %v", sn, tt.rng, tt.static, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestULAPool(t *testing.T) {
	// moby's TestDeriveULABaseNetwork: the same host ID gives Docker's prefix.
	for id, want := range map[string]string{"": "fd42:98fc:1c14::/48",
		"499d4bc0-b0b3-416f-b1ee-cf6486315593": "fd62:fb69:18af::/48"} {
		if got := ulaPool(id); got != pfx(want) {
			t.Errorf("ulaPool(%q) = %s, want %s", id, got, want)
		}
	}
}

func TestPickSubnet6(t *testing.T) {
	pool := pfx("fd42:98fc:1c14::/48")
	tests := []struct {
		name         string
		used, routed []netip.Prefix
		want         netip.Prefix
		wantErr      error
	}{
		{name: "first", want: pfx("fd42:98fc:1c14::/64")},
		{name: "skips used and routed", used: []netip.Prefix{pfx("fd42:98fc:1c14::/64")},
			routed: []netip.Prefix{pfx("fd42:98fc:1c14:1::/64"), pfx("::/0")}, want: pfx("fd42:98fc:1c14:2::/64")},
		{name: "exhausted", routed: []netip.Prefix{pfx("fd42:98fc:1c14::/48")}, wantErr: ErrExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pickSubnet6(pool, tt.used, tt.routed)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("pickSubnet6() = %v, %v, want %v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st := newState()
	st.Networks["p_default"] = &netState{Name: "p_default", Bridge: "berthb0123456789", Subnet: pfx("10.231.0.0/24"),
		Gateway: addr("10.231.0.1"), Labels: map[string]string{"k": "v"}, Endpoints: map[string]*endpointState{
			"/run/x": {NsPath: "/run/x", HostIf: "berthv1", IfName: "eth0", Address: addr("10.231.0.2"),
				Ports: []PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}},
		}}
	st.Netns["x"] = "/run/x"
	if err := saveState(path, st); err != nil {
		t.Fatalf("saveState() = %v", err)
	}
	got, err := loadState(path)
	if err != nil {
		t.Fatalf("loadState(%q) = %v", path, err)
	}
	if diff := cmp.Diff(st, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("loadState(%q) mismatch (-want +got):\n%s", path, diff)
	}
	empty, err := loadState(filepath.Join(t.TempDir(), "missing.json"))
	if err != nil || len(empty.Networks) != 0 {
		t.Errorf("loadState(missing) = %v, %v, want empty state", empty, err)
	}
	// A power loss after saveState (no fsync) may leave an empty file: an empty state.
	zero := filepath.Join(t.TempDir(), "zero.json")
	if err := os.WriteFile(zero, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if empty, err := loadState(zero); err != nil || len(empty.Networks) != 0 || empty.Netns == nil {
		t.Errorf("loadState(empty file) = %v, %v, want empty state", empty, err)
	}
	// Anything else unreadable is an error, not a state that forgets what it recorded.
	if err := os.WriteFile(zero, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadState(zero); err == nil {
		t.Errorf("loadState(broken file) = nil error, want one")
	}
}

func TestBridgeNameFor(t *testing.T) {
	st := newState()
	a := st.bridgeNameFor("berth", "proj_default")
	if len(a) > 15 || !strings.HasPrefix(a, "berthb") {
		t.Fatalf("bridgeNameFor() = %q, want berthb… of at most 15 bytes", a)
	}
	if b := st.bridgeNameFor("berth", "proj_default"); b != a {
		t.Errorf("bridgeNameFor() = %q, then %q: want stable", a, b)
	}
	st.Networks["other"] = &netState{Name: "other", Bridge: a}
	if b := st.bridgeNameFor("berth", "proj_default"); b == a || len(b) > 15 {
		t.Errorf("bridgeNameFor() with %q taken = %q, want another name of at most 15 bytes", a, b)
	}
	st.Networks["proj_default"] = &netState{Name: "proj_default", Bridge: "recorded"}
	if b := st.bridgeNameFor("berth", "proj_default"); b != "recorded" {
		t.Errorf("bridgeNameFor() = %q, want the recorded %q", b, "recorded")
	}
}

func TestFindSockets(t *testing.T) {
	const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0
   1: 0100007F:0016 0100007F:1F91 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0 100 0 0 10 0
   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 100 0 0 10 0
`
	tests := []struct {
		port   uint16
		listen bool
		want   []string
	}{
		{port: 8080, listen: true, want: []string{"4242", "4343"}},
		{port: 22, listen: true},
		{port: 22, listen: false, want: []string{"777"}},
		{port: 9999, listen: false},
	}
	for _, tt := range tests {
		if got := findSockets(strings.NewReader(table), tt.port, tt.listen); !slices.Equal(got, tt.want) {
			t.Errorf("findSockets(%d, %v) = %q, want %q", tt.port, tt.listen, got, tt.want)
		}
	}
}

func TestPortOverlaps(t *testing.T) {
	tests := []struct {
		a, b PortMapping
		want bool
	}{
		{PortMapping{HostPort: 80, Protocol: "tcp"}, PortMapping{HostPort: 80, Protocol: "tcp"}, true},
		{PortMapping{HostPort: 80, Protocol: "tcp"}, PortMapping{HostPort: 80, Protocol: "udp"}, false},
		{PortMapping{HostPort: 80, HostPortEnd: 90, Protocol: "tcp"}, PortMapping{HostPort: 85, Protocol: "tcp"}, true},
		{PortMapping{HostIP: addr("127.0.0.1"), HostPort: 80, Protocol: "tcp"}, PortMapping{HostIP: addr("192.0.2.1"), HostPort: 80, Protocol: "tcp"}, false},
		{PortMapping{HostIP: addr("127.0.0.1"), HostPort: 80, Protocol: "tcp"}, PortMapping{HostPort: 80, Protocol: "tcp"}, true},
	}
	for _, tt := range tests {
		if got := tt.a.overlaps(tt.b); got != tt.want {
			t.Errorf("%+v.overlaps(%+v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("New(Options{}) = %v, want ErrInvalid", err)
	}
	dir := t.TempDir()
	if _, err := New(Options{StateDir: dir, RuntimeDir: dir, NamePrefix: "toolong"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("New(NamePrefix: toolong) = %v, want ErrInvalid", err)
	}
}
