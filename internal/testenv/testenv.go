// Package testenv gates tests on what the machine offers. It is imported only by tests.
package testenv

import (
	"os"
	"testing"
)

// RequiresRoot skips the test with a clear message unless it runs as root. Integration
// tests that create kernel objects (namespaces, bridges, mounts, cgroups, nftables rules)
// call it first; CI runs as root, so they run there.
func RequiresRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: this test creates kernel objects and needs root (CI runs it as root)")
	}
}
