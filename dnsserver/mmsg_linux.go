package dnsserver

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgConn moves batches of datagrams on one UDP socket with recvmmsg and sendmmsg.
//
// The socket is non-blocking (the runtime's poller waits for it), so neither call ever
// sleeps in the kernel, and both are made as raw system calls: without the runtime's
// syscall bookkeeping. That bookkeeping is most of the cost of a small batch: entering a
// system call wakes the runtime's monitor thread, and a sendmmsg that delivers its
// answers through a veth and a bridge (the kernel runs the receiving side in the
// sender's context) often lasts long enough for the monitor to take the P away and hand
// it to another thread, which then has to give it back.
//
// The message headers, address and payload buffers are allocated once; a read
// overwrites what the previous one returned. An mmsgConn is used by one goroutine.
type mmsgConn struct {
	rc       syscall.RawConn
	in, out  []unix.Mmsghdr
	inIov    []unix.Iovec
	outIov   []unix.Iovec
	inAddr   []unix.RawSockaddrInet6 // large enough for a sockaddr_in too
	outAddr  []unix.RawSockaddrInet6
	inBuf    [][]byte
	outBuf   [][]byte
	n        int // messages read or sent by the last call
	sendFrom int // first message of out the next sendmmsg sends
	sendTo   int // end of the messages of out to send
	errno    unix.Errno
	readFn   func(fd uintptr) bool
	writeFn  func(fd uintptr) bool
}

// newMmsgConn prepares batches of size datagrams of at most bufSize bytes on pc.
func newMmsgConn(pc *net.UDPConn, size, bufSize int) (*mmsgConn, error) {
	rc, err := pc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("udp socket %s: %w", pc.LocalAddr(), err)
	}
	c := &mmsgConn{
		rc: rc, in: make([]unix.Mmsghdr, size), out: make([]unix.Mmsghdr, size),
		inIov: make([]unix.Iovec, size), outIov: make([]unix.Iovec, size),
		inAddr: make([]unix.RawSockaddrInet6, size), outAddr: make([]unix.RawSockaddrInet6, size),
		inBuf: make([][]byte, size), outBuf: make([][]byte, size),
	}
	for i := range size {
		c.inBuf[i], c.outBuf[i] = make([]byte, bufSize), make([]byte, bufSize)
		c.inIov[i].Base, c.outIov[i].Base = &c.inBuf[i][0], &c.outBuf[i][0]
		c.in[i].Hdr.Iov, c.out[i].Hdr.Iov = &c.inIov[i], &c.outIov[i]
		c.in[i].Hdr.Iovlen, c.out[i].Hdr.Iovlen = 1, 1
		c.in[i].Hdr.Name = (*byte)(unsafe.Pointer(&c.inAddr[i]))
		c.out[i].Hdr.Name = (*byte)(unsafe.Pointer(&c.outAddr[i]))
	}
	c.readFn, c.writeFn = c.recvmmsg, c.sendmmsg
	return c, nil
}

// read waits for datagrams and returns how many it read (at least one). The socket
// being closed returns net.ErrClosed (wrapped).
func (c *mmsgConn) read() (int, error) {
	for i := range c.in {
		c.inIov[i].Len = uint64(len(c.inBuf[i]))
		c.in[i].Hdr.Namelen = unix.SizeofSockaddrInet6
	}
	if err := c.rc.Read(c.readFn); err != nil {
		return 0, err
	}
	if c.errno != 0 {
		return 0, c.errno
	}
	return c.n, nil
}

func (c *mmsgConn) recvmmsg(fd uintptr) bool {
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&c.in[0])), uintptr(len(c.in)), 0, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // nothing queued: the poller waits
		}
		c.n, c.errno = int(n), e
		return true
	}
}

// packet returns the payload and source of datagram i of the last read.
func (c *mmsgConn) packet(i int) ([]byte, netip.AddrPort) {
	return c.inBuf[i][:c.in[i].Len], sockaddrAddrPort(&c.inAddr[i])
}

// reply makes out[m] an answer of the bytes resp, which lie in c.outBuf[m], to the
// source of datagram i of the last read.
func (c *mmsgConn) reply(m, i int, resp []byte) {
	c.outAddr[m] = c.inAddr[i]
	c.out[m].Hdr.Namelen = c.in[i].Hdr.Namelen
	c.outIov[m].Len = uint64(len(resp))
}

// write sends out[:m]. A datagram the kernel refuses is dropped (its client retries);
// write returns once every other one is sent, or the socket is closed.
func (c *mmsgConn) write(m int) {
	c.sendFrom, c.sendTo = 0, m
	for c.sendFrom < c.sendTo {
		if err := c.rc.Write(c.writeFn); err != nil {
			return
		}
		if c.errno != 0 || c.n == 0 {
			c.sendFrom++ // the first unsent one was refused: drop it
			continue
		}
		c.sendFrom += c.n
	}
}

func (c *mmsgConn) sendmmsg(fd uintptr) bool {
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&c.out[c.sendFrom])), uintptr(c.sendTo-c.sendFrom), 0, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // the send buffer is full: the poller waits
		}
		c.n, c.errno = int(n), e
		return true
	}
}

// sockaddrAddrPort decodes a sockaddr_in or sockaddr_in6 (IPv4-mapped addresses
// unmapped); any other family is the zero AddrPort.
func sockaddrAddrPort(sa *unix.RawSockaddrInet6) netip.AddrPort {
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:])
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), port)
	case unix.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), port)
	}
	return netip.AddrPort{}
}
