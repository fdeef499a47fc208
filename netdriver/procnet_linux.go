package netdriver

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// PortHolder reports whether a host socket holds proto ("tcp" or "udp") port (a
// listening TCP socket, a bound UDP socket), and describes the owner: "process comm
// (pid N)" where /proc/*/fd shows it, else the socket's inode. Callers that check a
// compose file's ports before anything is made use it too. The IPv6 sockets of berth's
// userland proxies (held by a process with ProxyCommand on its command line) do not
// count: the ports they serve are published ports, which berth's state accounts for,
// and a recreated container takes over its predecessor's.
//
// It reads /proc/thread-self/net, the calling thread's namespace (the host's), not
// /proc/net, which follows the main thread. The thread is locked while reading.
func PortHolder(proto string, port uint16) (string, bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, suffix := range []string{"", "6"} {
		f, err := os.Open("/proc/thread-self/net/" + proto + suffix)
		if err != nil {
			continue
		}
		inodes := findSockets(f, port, proto == "tcp")
		f.Close()
		for _, inode := range inodes {
			pid, found := socketPID(inode)
			if suffix == "6" && found && isProxy(pid) {
				continue
			}
			return ownerName(pid, found, inode), true
		}
	}
	return "", false
}

// ProxyCommand is the argument that marks the command line of a process serving berth's
// userland proxies: a project supervisor, "berth _supervise NAME".
const ProxyCommand = "_supervise"

// isProxy reports whether process pid has ProxyCommand as an argument.
func isProxy(pid string) bool {
	cmdline, err := os.ReadFile("/proc/" + pid + "/cmdline")
	if err != nil {
		return false
	}
	args := strings.Split(string(cmdline), "\x00")
	return len(args) > 1 && slices.Contains(args[1:], ProxyCommand)
}

// tcpListen is TCP_LISTEN in /proc/net/tcp's st column.
const tcpListen = "0A"

// findSockets scans a /proc/net/{tcp,udp}{,6} table for the sockets bound to port
// (listening, when listenOnly) and returns their inodes.
func findSockets(r io.Reader, port uint16, listenOnly bool) []string {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		i := strings.LastIndexByte(f[1], ':')
		p, err := strconv.ParseUint(f[1][i+1:], 16, 16)
		if err != nil || uint16(p) != port {
			continue
		}
		if listenOnly && f[3] != tcpListen {
			continue
		}
		out = append(out, f[9])
	}
	return out
}

// socketPID finds the process holding socket inode in /proc/*/fd.
func socketPID(inode string) (string, bool) {
	want := "socket:[" + inode + "]"
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range procs {
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if target, _ := os.Readlink(filepath.Join(dir, "fd", fd.Name())); target == want {
				return filepath.Base(dir), true
			}
		}
	}
	return "", false
}

// ownerName names process pid (when found), or says the owner of socket inode is
// unknown.
func ownerName(pid string, found bool, inode string) string {
	if !found {
		return "a socket of an unknown process (inode " + inode + ")"
	}
	comm, _ := os.ReadFile("/proc/" + pid + "/comm")
	return fmt.Sprintf("process %s (pid %s)", strings.TrimSpace(string(comm)), pid)
}
