package netdriver

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"strings"
)

// DefaultPools returns Docker's default address pools: 172.18.0.0/16 … 172.31.0.0/16, then
// 192.168.0.0/16 cut into /20 blocks. 172.17.0.0/16 (docker0) is left out on purpose.
func DefaultPools() []netip.Prefix {
	var pools []netip.Prefix
	for b := 18; b <= 31; b++ {
		pools = append(pools, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), 0, 0}), 16))
	}
	for c := 0; c < 256; c += 16 {
		pools = append(pools, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(c), 0}), 20))
	}
	return pools
}

// DefaultPool6 is the IPv6 pool Docker uses when none is configured: a ULA /48 whose 40-bit
// global ID is the low 40 bits of the SHA-256 of the host's ID (here /etc/machine-id, else
// the host name), stable for the host; CreateNetwork cuts it into /64s.
func DefaultPool6() netip.Prefix {
	id, err := os.ReadFile("/etc/machine-id")
	if err != nil {
		h, _ := os.Hostname()
		id = []byte(h)
	}
	return ulaPool(strings.TrimSpace(string(id)))
}

// ulaPool is fd00::/8 with the 40 low bits of sha256(hostID) as global ID, a /48.
func ulaPool(hostID string) netip.Prefix {
	sum := sha256.Sum256([]byte(hostID))
	gid := binary.BigEndian.Uint64(sum[:8]) & (1<<40 - 1)
	var a [16]byte
	a[0] = 0xfd
	for i := 0; i < 5; i++ {
		a[1+i] = byte(gid >> (8 * (4 - i)))
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), 48)
}

// pickSubnet returns the first pool prefix that overlaps none of used (subnets berth already
// holds) and none of routed (subnets routed on the host), or an error wrapping ErrExists when
// the pools are exhausted.
func pickSubnet(pools, used, routed []netip.Prefix) (netip.Prefix, error) {
	for _, p := range pools {
		if !overlapsAny(p, used) && !overlapsAny(p, routed) {
			return p, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("allocate subnet: every pool overlaps a used or routed subnet: %w", ErrExists)
}

// pickSubnet6 returns the first /64 of pool (a /48 to /64) that overlaps none of used and
// routed, or an error wrapping ErrExists.
func pickSubnet6(pool netip.Prefix, used, routed []netip.Prefix) (netip.Prefix, error) {
	pool = pool.Masked()
	if !pool.Addr().Is6() || pool.Bits() > 64 || pool.Bits() < 48 {
		return netip.Prefix{}, fmt.Errorf("IPv6 pool %s: need a /48 to /64: %w", pool, ErrInvalid)
	}
	a := pool.Addr().As16()
	hi := binary.BigEndian.Uint64(a[:8])
	for i := uint64(0); i < 1<<(64-pool.Bits()); i++ {
		binary.BigEndian.PutUint64(a[:8], hi|i)
		p := netip.PrefixFrom(netip.AddrFrom16(a), 64)
		if !overlapsAny(p, used) && !overlapsAny(p, routed) {
			return p, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("allocate IPv6 subnet: every /64 of %s overlaps a used or routed subnet: %w", pool, ErrExists)
}

func overlapsAny(p netip.Prefix, others []netip.Prefix) bool {
	for _, o := range others {
		if !o.IsValid() || o.Bits() == 0 {
			continue // the default route overlaps everything and never blocks a subnet
		}
		if p.Overlaps(o) {
			return true
		}
	}
	return false
}

// firstHost is the gateway address Docker uses: the subnet's .1 (::1 for IPv6).
func firstHost(p netip.Prefix) netip.Addr {
	return p.Masked().Addr().Next()
}

// lastAddr returns the last address of p (the broadcast address of an IPv4 subnet).
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// isHostAddr reports whether a is an address of subnet a container may hold: not the
// network address and, for IPv4, not the broadcast address.
func isHostAddr(subnet netip.Prefix, a netip.Addr) bool {
	if a.Is4() != subnet.Addr().Is4() || !subnet.Contains(a) || a == subnet.Masked().Addr() {
		return false
	}
	return !a.Is4() || a != lastAddr(subnet)
}

// pickAddr returns static when it is valid and free, or else the lowest free host address of
// subnet inside rng (ip_range; zero means the whole subnet). taken holds the addresses in use
// (gateway included). A static address may lie anywhere in subnet, as with Docker. Errors
// wrap ErrInvalid (static outside the subnet, or the network or broadcast address) or
// ErrExists (static taken, range full).
func pickAddr(subnet, rng netip.Prefix, static netip.Addr, taken map[netip.Addr]bool) (netip.Addr, error) {
	if static.IsValid() {
		switch {
		case !isHostAddr(subnet, static):
			return netip.Addr{}, fmt.Errorf("address %s is not a host address of subnet %s: %w", static, subnet, ErrInvalid)
		case taken[static]:
			return netip.Addr{}, fmt.Errorf("address %s in subnet %s is already in use: %w", static, subnet, ErrExists)
		}
		return static, nil
	}
	if !rng.IsValid() {
		rng = subnet
	}
	rng = rng.Masked()
	for a := rng.Addr(); a.IsValid() && rng.Contains(a); a = a.Next() {
		if isHostAddr(subnet, a) && !taken[a] {
			return a, nil
		}
	}
	if rng != subnet.Masked() {
		return netip.Addr{}, fmt.Errorf("ip_range %s of subnet %s has no free address: %w", rng, subnet, ErrExists)
	}
	return netip.Addr{}, fmt.Errorf("subnet %s has no free address: %w", subnet, ErrExists)
}
