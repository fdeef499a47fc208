package netdriver

import (
	"errors"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/vishvananda/netlink"
)

// TestRemoveBridgeAndSync checks that the bridge's deletion and the rule sync overlap (the
// sync of the "waits" case returns only once the bridge is gone, which a sync run before
// the deletion would wait for in vain) and that both errors are returned.
func TestRemoveBridgeAndSync(t *testing.T) {
	testenv.RequiresRoot(t)
	errSync := errors.New("sync failed")
	tests := []struct {
		name    string
		make    bool // make the bridge first
		sync    func(bridge string) error
		wantErr error
	}{
		{name: "waits", make: true, sync: waitGone},
		{name: "sync error", make: true, sync: func(string) error { return errSync }, wantErr: errSync},
		{name: "missing bridge", sync: func(string) error { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "btnrb" + randHex(t, 4)
			if tt.make {
				if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}}); err != nil {
					t.Fatalf("add bridge %s: %v", name, err)
				}
			}
			t.Cleanup(func() { _ = removeLink(name) })
			err := removeBridgeAndSync(name, func() error { return tt.sync(name) })
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("removeBridgeAndSync() = %v, want %v", err, tt.wantErr)
			}
			if linkExists(name) {
				t.Errorf("bridge %s left after removeBridgeAndSync", name)
			}
		})
	}
}

// waitGone waits up to 5 s for the link named bridge to be gone.
func waitGone(bridge string) error {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if !linkExists(bridge) {
			return nil
		}
	}
	return errors.New("bridge " + bridge + " still there after 5 s")
}
