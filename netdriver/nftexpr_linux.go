package netdriver

import (
	"net"
	"net/netip"

	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Small builders for the nftables expressions berth's rules are made of. Each returns the
// expressions of one match, loading into register 1.

func ifname(name string) []byte {
	b := make([]byte, 16)
	copy(b, name)
	return b
}

func matchIf(key expr.MetaKey, op expr.CmpOp, name string) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: key, Register: 1},
		&expr.Cmp{Op: op, Register: 1, Data: ifname(name)},
	}
}

func iif(name string) []expr.Any        { return matchIf(expr.MetaKeyIIFNAME, expr.CmpOpEq, name) }
func notIif(name string) []expr.Any     { return matchIf(expr.MetaKeyIIFNAME, expr.CmpOpNeq, name) }
func oif(name string) []expr.Any        { return matchIf(expr.MetaKeyOIFNAME, expr.CmpOpEq, name) }
func notOif(name string) []expr.Any     { return matchIf(expr.MetaKeyOIFNAME, expr.CmpOpNeq, name) }
func saddrIn(p netip.Prefix) []expr.Any { return ipIn(true, p) }
func daddrIn(p netip.Prefix) []expr.Any { return ipIn(false, p) }

// ipIn matches the source (or destination) address of the packet's IPv4 or IPv6 header,
// the family of p, against p.
func ipIn(src bool, p netip.Prefix) []expr.Any {
	offset, size := uint32(16), uint32(4) // IPv4 daddr
	switch {
	case p.Addr().Is4() && src:
		offset = 12
	case p.Addr().Is6() && src:
		offset, size = 8, 16
	case p.Addr().Is6():
		offset, size = 24, 16
	}
	mask := net.CIDRMask(p.Bits(), p.Addr().BitLen())
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: size},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: size, Mask: mask, Xor: make([]byte, size)},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: p.Masked().Addr().AsSlice()},
	}
}

func daddr(a netip.Addr) []expr.Any { return daddrIn(netip.PrefixFrom(a, a.BitLen())) }

// l4port matches the layer-4 protocol and destination port.
func l4port(proto string, port uint16) []expr.Any {
	p := byte(unix.IPPROTO_TCP)
	if proto == "udp" {
		p = unix.IPPROTO_UDP
	}
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{p}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(port)},
	}
}

// daddrLocal matches `fib daddr type local`.
func daddrLocal() []expr.Any {
	return []expr.Any{
		&expr.Fib{Register: 1, FlagDADDR: true, ResultADDRTYPE: true},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(unix.RTN_LOCAL)},
	}
}

func ctBits(key expr.CtKey, bits uint32) []expr.Any {
	return []expr.Any{
		&expr.Ct{Register: 1, Key: key},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
			Mask: binaryutil.NativeEndian.PutUint32(bits), Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: make([]byte, 4)},
	}
}

func established() []expr.Any {
	return ctBits(expr.CtKeySTATE, expr.CtStateBitESTABLISHED|expr.CtStateBitRELATED)
}

// ipsDstNAT is IPS_DST_NAT from linux/netfilter/nf_conntrack_common.h.
const ipsDstNAT = 1 << 5

func wasDNATed() []expr.Any { return ctBits(expr.CtKeySTATUS, ipsDstNAT) }

func dnatTo(a netip.Addr, port uint16) []expr.Any {
	return []expr.Any{
		&expr.Immediate{Register: 1, Data: a.AsSlice()},
		&expr.Immediate{Register: 2, Data: binaryutil.BigEndian.PutUint16(port)},
		&expr.NAT{Type: expr.NATTypeDestNAT, Family: natFamily(a), RegAddrMin: 1, RegProtoMin: 2, Specified: true},
	}
}

func natFamily(a netip.Addr) uint32 {
	if a.Is6() {
		return unix.NFPROTO_IPV6
	}
	return unix.NFPROTO_IPV4
}

func verdict(k expr.VerdictKind) expr.Any { return &expr.Verdict{Kind: k} }

func jump(chain string) expr.Any { return &expr.Verdict{Kind: expr.VerdictJump, Chain: chain} }

func join(parts ...[]expr.Any) []expr.Any {
	var out []expr.Any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
