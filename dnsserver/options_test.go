package dnsserver

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseUpstreams(t *testing.T) {
	tests := []struct {
		in      string
		want    []netip.AddrPort
		wantErr error
	}{
		{"", nil, nil},
		{"10.0.0.1", []netip.AddrPort{netip.MustParseAddrPort("10.0.0.1:53")}, nil},
		{"127.0.0.53:5353, ::1", []netip.AddrPort{netip.MustParseAddrPort("127.0.0.53:5353"), netip.MustParseAddrPort("[::1]:53")}, nil},
		{"[fd00::1]:54,", []netip.AddrPort{netip.MustParseAddrPort("[fd00::1]:54")}, nil},
		{"dns.example:53", nil, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseUpstreams(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseUpstreams(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
				t.Errorf("ParseUpstreams(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestUpstreamsFromEnv(t *testing.T) {
	t.Setenv(UpstreamsEnv, "")
	if got, err := UpstreamsFromEnv(); got != nil || err != nil {
		t.Errorf("UpstreamsFromEnv() unset = %v, %v, want nil, nil", got, err)
	}
	t.Setenv(UpstreamsEnv, "127.0.0.1:5300")
	got, err := UpstreamsFromEnv()
	if err != nil || len(got) != 1 || got[0] != netip.MustParseAddrPort("127.0.0.1:5300") {
		t.Errorf("UpstreamsFromEnv() = %v, %v, want [127.0.0.1:5300]", got, err)
	}
	t.Setenv(UpstreamsEnv, "bogus")
	if _, err := UpstreamsFromEnv(); !errors.Is(err, ErrInvalid) {
		t.Errorf("UpstreamsFromEnv() bogus error = %v, want ErrInvalid", err)
	}
}

const hostResolvConf = `# generated
nameserver 127.0.0.53
nameserver fd00::53
search corp.example lab.example
options ndots:5 edns0
`

func TestResolvConf(t *testing.T) {
	tests := []struct {
		name string
		host string
		want string
	}{
		{"host search and options", hostResolvConf,
			"nameserver 10.233.0.1\nsearch corp.example lab.example\noptions ndots:0 edns0\n"},
		{"empty host file", "", "nameserver 10.233.0.1\noptions ndots:0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(ResolvConf(netip.MustParseAddr("10.233.0.1"), []byte(tt.host)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ResolvConf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewReadsResolvConf(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(path, []byte(hostResolvConf), 0o644); err != nil {
		t.Fatal(err)
	}
	s := New(Options{ResolvConfPath: path})
	defer s.Close()
	var got []string
	for _, u := range s.fwd.ups {
		got = append(got, u.addr)
	}
	if diff := cmp.Diff([]string{"127.0.0.53:53", "[fd00::53]:53"}, got); diff != "" {
		t.Errorf("upstreams from %s (-want +got):\n%s", path, diff)
	}
}

func TestParseReverse(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means not a reverse name
	}{
		{"4.3.2.10.IN-ADDR.ARPA.", "10.2.3.4"},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", "fd00::1"},
		{"3.2.1.in-addr.arpa.", ""},
		{"300.3.2.1.in-addr.arpa.", ""},
		{"web.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, ok := parseReverse(tt.in)
			got := ""
			if ok {
				got = a.String()
			}
			if got != tt.want {
				t.Errorf("parseReverse(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
