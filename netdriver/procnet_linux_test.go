package netdriver

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestMain lets the test binary play a port proxy: with BERTH_TEST_HOLD set to
// "tcp6 ADDR", it listens there, prints the port and waits for stdin to close.
func TestMain(m *testing.M) {
	if spec := os.Getenv("BERTH_TEST_HOLD"); spec != "" {
		f := strings.Fields(spec)
		ln, err := net.Listen(f[0], f[1])
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println(ln.Addr().(*net.TCPAddr).Port)
		bufio.NewReader(os.Stdin).ReadString('\n')
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holdPort runs the test binary holding a TCP listener on addr, with args after its
// own on the command line; it returns the port.
func holdPort(t *testing.T, network, addr string, args ...string) uint16 {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), "BERTH_TEST_HOLD="+network+" "+addr)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	port, err := strconv.ParseUint(strings.TrimSpace(line), 10, 16)
	if err != nil {
		t.Fatalf("helper holding %s %s: %q", network, addr, line)
	}
	return uint16(port)
}

// TestPortHolderSkipsProxies: a port proxy's IPv6 socket (its process has ProxyCommand
// on its command line) does not hold a port; its IPv4 sockets, and any other process's
// sockets, do.
func TestPortHolderSkipsProxies(t *testing.T) {
	if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("skipping: no IPv6 loopback: %v", err)
	} else {
		ln.Close()
	}
	tests := []struct {
		name, network, addr string
		args                []string
		held                bool
	}{
		{"proxy on ::1", "tcp6", "[::1]:0", []string{ProxyCommand, "proj"}, false},
		{"proxy on ::", "tcp6", "[::]:0", []string{ProxyCommand, "proj"}, false},
		{"proxy's IPv4 socket", "tcp4", "127.0.0.1:0", []string{ProxyCommand, "proj"}, true},
		{"another process on ::1", "tcp6", "[::1]:0", []string{"serve"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := holdPort(t, tt.network, tt.addr, tt.args...)
			holder, held := PortHolder("tcp", port)
			if held != tt.held {
				t.Errorf("PortHolder(tcp, %d) = %q, %v; want held %v", port, holder, held, tt.held)
			}
			if held && !strings.Contains(holder, "(pid ") {
				t.Errorf("PortHolder(tcp, %d) = %q, want the holding process named", port, holder)
			}
		})
	}
}
