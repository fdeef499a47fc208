package project

import (
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestSupervisorProtocol(t *testing.T) {
	cfg := Config{Root: t.TempDir(), RuntimeDir: t.TempDir()}
	if err := os.MkdirAll(mustPath(cfg.runDir("p")), 0o700); err != nil {
		t.Fatal(err)
	}
	cl := cfg.client("p")
	if err := cl.do(reqPing, nil); !errors.Is(err, errNoSupervisor) {
		t.Fatalf("ping without a supervisor: %v; want errNoSupervisor", err)
	}
	if err := cfg.syncSupervisor("p"); err != nil {
		t.Fatalf("sync without a supervisor: %v; want nil (nothing to sync)", err)
	}
	ln, err := net.Listen("unix", mustPath(cfg.socketPath("p")))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serveRequests(ln, func(request string) ([]byte, error) {
		switch request {
		case reqHealth:
			return []byte(`{"c1":"healthy"}`), nil
		case reqSync:
			return nil, errors.New("load state: broken\nsecond line")
		case "slow":
			time.Sleep(300 * time.Millisecond)
		}
		return nil, nil
	})

	if err := cl.do(reqPing, nil); err != nil {
		t.Errorf("ping: %v", err)
	}
	var h map[string]string
	if err := cl.do(reqHealth, &h); err != nil || h["c1"] != "healthy" {
		t.Errorf("health = %v, %v; want c1 healthy", h, err)
	}
	if err := cl.do(reqSync, nil); err == nil || err.Error() != "supervisor: sync: load state: broken\nsecond line" {
		t.Errorf("sync = %v; want the supervisor's error, whole", err)
	}
	if err := cfg.syncSupervisor("p"); err == nil {
		t.Errorf("syncSupervisor hid the supervisor's error")
	}
	cl.timeout = 50 * time.Millisecond
	if err := cl.do("slow", nil); err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Errorf("slow answer = %v; want a timeout", err)
	}
	if !cfg.supervisorAlive("p") {
		t.Errorf("supervisorAlive = false with a supervisor listening")
	}
}
