package supervisor

import (
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSupervisorProtocol(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "supervisor.sock")
	cl := NewClient(sock, nil)
	if err := cl.Do(ReqPing, nil); !errors.Is(err, ErrNoSupervisor) {
		t.Fatalf("ping without a supervisor: %v; want ErrNoSupervisor", err)
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go Serve(ln, func(request string) ([]byte, error) {
		switch request {
		case ReqHealth:
			return []byte(`{"c1":"healthy"}`), nil
		case ReqSync:
			return nil, errors.New("load state: broken\nsecond line")
		case "slow":
			time.Sleep(300 * time.Millisecond)
		}
		return nil, nil
	})

	if err := cl.Do(ReqPing, nil); err != nil {
		t.Errorf("ping: %v", err)
	}
	var h map[string]string
	if err := cl.Do(ReqHealth, &h); err != nil || h["c1"] != "healthy" {
		t.Errorf("health = %v, %v; want c1 healthy", h, err)
	}
	if err := cl.Do(ReqSync, nil); err == nil || err.Error() != "supervisor: sync: load state: broken\nsecond line" {
		t.Errorf("sync = %v; want the supervisor's error, whole", err)
	}
	cl.Timeout = 50 * time.Millisecond
	if err := cl.Do("slow", nil); err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Errorf("slow answer = %v; want a timeout", err)
	}
	bad := errors.New("bad name")
	if err := NewClient("", bad).Do(ReqPing, nil); !errors.Is(err, bad) {
		t.Errorf("ping with a bad socket path = %v; want its error", err)
	}
}
