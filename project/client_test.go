package project

import (
	"errors"
	"net"
	"os"
	"testing"
)

// TestSupervisorCalls: without a supervisor there is nothing to sync; with one, its
// errors are not hidden and it is alive.
func TestSupervisorCalls(t *testing.T) {
	cfg := Config{Root: t.TempDir(), RuntimeDir: t.TempDir()}
	if err := os.MkdirAll(mustPath(cfg.runDir("p")), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := cfg.syncSupervisor("p"); err != nil {
		t.Fatalf("sync without a supervisor: %v; want nil (nothing to sync)", err)
	}
	if cfg.supervisorAlive("p") {
		t.Errorf("supervisorAlive = true without a supervisor")
	}
	ln, err := net.Listen("unix", mustPath(cfg.socketPath("p")))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serveRequests(ln, func(request string) ([]byte, error) {
		if request == reqSync {
			return nil, errors.New("load state: broken")
		}
		return nil, nil
	})
	if err := cfg.syncSupervisor("p"); err == nil {
		t.Errorf("syncSupervisor hid the supervisor's error")
	}
	if !cfg.supervisorAlive("p") {
		t.Errorf("supervisorAlive = false with a supervisor listening")
	}
}
