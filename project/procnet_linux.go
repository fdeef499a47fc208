package project

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// portHolder reports which process listens on (tcp) or is bound to (udp) port on the
// host, reading /proc/net/{tcp,tcp6,udp,udp6}; the holder is "pid N (comm)" when the
// socket's owner is found, else "a process on the host".
func portHolder(proto string, port uint16) (string, bool) {
	for _, f := range []string{proto, proto + "6"} {
		inode, ok := findSocket("/proc/net/"+f, port, proto == "tcp")
		if ok {
			return socketOwner(inode), true
		}
	}
	return "", false
}

// findSocket scans a /proc/net table for a local port; with listenOnly only sockets in
// LISTEN state (0A) count.
func findSocket(path string, port uint16, listenOnly bool) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	want := fmt.Sprintf(":%04X", port)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || !strings.HasSuffix(fields[1], want) {
			continue
		}
		if listenOnly && fields[3] != "0A" {
			continue
		}
		return fields[9], true
	}
	return "", false
}

// socketOwner finds the process holding socket inode, scanning /proc/*/fd.
func socketOwner(inode string) string {
	target := "socket:[" + inode + "]"
	pids, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range pids {
		fds, _ := os.ReadDir(filepath.Join(dir, "fd"))
		for _, fd := range fds {
			if l, _ := os.Readlink(filepath.Join(dir, "fd", fd.Name())); l == target {
				comm, _ := os.ReadFile(filepath.Join(dir, "comm"))
				pid, _ := strconv.Atoi(filepath.Base(dir))
				return fmt.Sprintf("pid %d (%s)", pid, strings.TrimSpace(string(comm)))
			}
		}
	}
	return "a process on the host"
}
