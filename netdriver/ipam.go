package netdriver

import (
	"fmt"
	"net/netip"
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

// firstHost is the gateway address Docker uses: the subnet's .1.
func firstHost(p netip.Prefix) netip.Addr {
	return p.Masked().Addr().Next()
}

// broadcast returns the last address of p.
func broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := 32 - p.Bits()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v |= (1 << host) - 1
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// pickAddr returns static when it is valid and free, or else the lowest free host address of
// subnet. taken holds the addresses in use (gateway included). Errors wrap ErrInvalid (static
// outside the subnet, or the network or broadcast address) or ErrExists (static taken, subnet full).
func pickAddr(subnet netip.Prefix, static netip.Addr, taken map[netip.Addr]bool) (netip.Addr, error) {
	network, bcast := subnet.Masked().Addr(), broadcast(subnet)
	if static.IsValid() {
		switch {
		case !static.Is4() || !subnet.Contains(static) || static == network || static == bcast:
			return netip.Addr{}, fmt.Errorf("address %s is not a host address of subnet %s: %w", static, subnet, ErrInvalid)
		case taken[static]:
			return netip.Addr{}, fmt.Errorf("address %s in subnet %s is already in use: %w", static, subnet, ErrExists)
		}
		return static, nil
	}
	for a := network.Next(); a.IsValid() && a != bcast; a = a.Next() {
		if !taken[a] {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("subnet %s has no free address: %w", subnet, ErrExists)
}
