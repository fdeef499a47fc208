package builder

import "testing"

// TestRunNetworkNone: RUN --network=none runs with only lo; a plain RUN shares the
// host's network (berth's default).
func TestRunNetworkNone(t *testing.T) {
	env := newTestEnv(t)
	df := "FROM bt-busybox\nRUN --network=none ls /sys/class/net > /none\nRUN ls /sys/class/net > /host\n"
	if _, out, err := env.build(t, map[string]string{"Dockerfile": df}, Options{Tags: []string{"bt-net"}}); err != nil {
		t.Fatalf("Build = %v\n%s", err, out)
	}
	_, l := env.imageFS(t, "bt-net")
	if got := fileIn(t, l, "none"); got != "lo\n" {
		t.Errorf("interfaces with --network=none = %q, want lo only", got)
	}
	if got := fileIn(t, l, "host"); got == "lo\n" {
		t.Errorf("interfaces of a plain RUN = %q, want the host's", got)
	}
}
