package netdriver

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// PortHolder reports whether a host socket holds proto ("tcp" or "udp") port (a
// listening TCP socket, a bound UDP socket), and describes the owner: "process comm
// (pid N)" where /proc/*/fd shows it, else the socket's inode. Callers that check a
// compose file's ports before anything is made use it too.
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
		inode, ok := findSocket(f, port, proto == "tcp")
		f.Close()
		if ok {
			return socketOwner(inode), true
		}
	}
	return "", false
}

// tcpListen is TCP_LISTEN in /proc/net/tcp's st column.
const tcpListen = "0A"

// findSocket scans a /proc/net/{tcp,udp}{,6} table for a socket bound to port (listening,
// when listenOnly) and returns its inode.
func findSocket(r io.Reader, port uint16, listenOnly bool) (string, bool) {
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
		return f[9], true
	}
	return "", false
}

// socketOwner names the process holding socket inode, or says it is unknown.
func socketOwner(inode string) string {
	want := "socket:[" + inode + "]"
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range procs {
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if target, _ := os.Readlink(filepath.Join(dir, "fd", fd.Name())); target == want {
				comm, _ := os.ReadFile(filepath.Join(dir, "comm"))
				return fmt.Sprintf("process %s (pid %s)", strings.TrimSpace(string(comm)), filepath.Base(dir))
			}
		}
	}
	return "a socket of an unknown process (inode " + inode + ")"
}
