package netdriver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

func randHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newTestDriver makes a driver with prefix btn, a random nft table and pools in 10.231.x/24;
// its cleanup sweeps and asserts that nothing it recorded is left in the kernel.
func newTestDriver(t testing.TB) *Driver {
	t.Helper()
	testenv.RequiresRoot(t)
	var pools []netip.Prefix
	for i := 0; i < 64; i++ {
		pools = append(pools, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 231, byte(i), 0}), 24))
	}
	dir := t.TempDir()
	d, err := New(Options{StateDir: filepath.Join(dir, "networks"), RuntimeDir: filepath.Join(dir, "netns"),
		Table: "berth_t_" + randHex(t, 4), Pools: pools, NamePrefix: "btn"})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	t.Cleanup(func() {
		var links, files []string
		_ = d.withState(false, func(st *state) error {
			for _, n := range st.Networks {
				links = append(links, n.Bridge)
				for _, ep := range n.Endpoints {
					links = append(links, ep.HostIf)
				}
			}
			for _, p := range st.Netns {
				files = append(files, p)
			}
			return nil
		})
		if err := d.Sweep(context.Background()); err != nil {
			t.Errorf("Sweep() = %v", err)
		}
		assertGone(t, d, links, files)
	})
	return d
}

func assertGone(t testing.TB, d *Driver, links, files []string) {
	t.Helper()
	for _, l := range links {
		if _, err := netlink.LinkByName(l); err == nil {
			t.Errorf("link %q left after Sweep", l)
		}
	}
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("netns %q left after Sweep", f)
		}
	}
	c, err := nftables.New()
	if err != nil {
		t.Fatalf("nftables.New() = %v", err)
	}
	for _, f := range []nftables.TableFamily{nftables.TableFamilyIPv4, nftables.TableFamilyIPv6} {
		if tb, err := c.ListTableOfFamily(d.opts.Table, f); err == nil && tb != nil {
			t.Errorf("nft table %q (family %v) left after Sweep", d.opts.Table, f)
		}
	}
}

// inNetns runs fn on a thread switched into the namespace at path. Sockets fn opens stay in
// that namespace. The thread is switched back before it is unlocked.
func inNetns(t testing.TB, path string, fn func()) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatalf("netns.Get() = %v", err)
	}
	defer orig.Close()
	target, err := netns.GetFromPath(path)
	if err != nil {
		t.Fatalf("netns.GetFromPath(%q) = %v", path, err)
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		t.Fatalf("netns.Set(%q) = %v", path, err)
	}
	defer func() {
		if err := netns.Set(orig); err != nil {
			panic("cannot return to the original netns: " + err.Error())
		}
	}()
	fn()
}

// echoTCP listens on :port in the namespace and echoes every connection.
func echoTCP(t testing.TB, nsPath string, port string) net.Listener {
	t.Helper()
	return echoOn(t, nsPath, "tcp4", ":"+port)
}

// echoOn listens on network and addr in the namespace and echoes every connection.
func echoOn(t testing.TB, nsPath, network, addr string) net.Listener {
	t.Helper()
	var l net.Listener
	var err error
	inNetns(t, nsPath, func() { l, err = net.Listen(network, addr) })
	if err != nil {
		t.Fatalf("listen %s %s in %s: %v", network, addr, nsPath, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return l
}

// echoUDP answers every datagram on :port in the namespace with the same bytes.
func echoUDP(t testing.TB, nsPath string, port string) {
	t.Helper()
	var pc net.PacketConn
	var err error
	inNetns(t, nsPath, func() { pc, err = net.ListenPacket("udp4", ":"+port) })
	if err != nil {
		t.Fatalf("listen udp in %s: %v", nsPath, err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
}

// roundTrip dials network/addr (from nsPath, or the host when empty), sends a line and
// returns what came back, or an error.
func roundTrip(t testing.TB, nsPath, network, addr string) (string, error) {
	t.Helper()
	var c net.Conn
	var err error
	// 3 s: a port just added to a bridge may lose the first ARP request (the kernel
	// applies its carrier change late), which is retried after 1 s.
	dial := func() { c, err = net.DialTimeout(network, addr, 3*time.Second) }
	if nsPath == "" {
		dial()
	} else {
		inNetns(t, nsPath, dial)
	}
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("hello\n")); err != nil {
		return "", err
	}
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	return strings.TrimSpace(string(buf[:n])), err
}
