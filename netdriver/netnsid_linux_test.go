package netdriver

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestNetnsIDsStayInRuntimeDir: an id that is not one path element is refused by
// CreateNetns and DeleteNetns, and a damaged record (a path that does not end in its id)
// is never unmounted or removed.
func TestNetnsIDsStayInRuntimeDir(t *testing.T) {
	d := newTestDriver(t)
	for _, id := range []string{"", ".", "..", "../x", "a/b"} {
		if p, err := d.CreateNetns(id); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateNetns(%q) = %q, %v, want ErrInvalid", id, p, err)
		}
		if err := d.DeleteNetns(id); !errors.Is(err, ErrInvalid) {
			t.Errorf("DeleteNetns(%q) = %v, want ErrInvalid", id, err)
		}
	}
	if _, err := os.Stat(d.opts.RuntimeDir); err != nil {
		t.Fatalf("runtime dir: %v", err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	id := "btnbad" + randHex(t, 3)
	setRecord := func(path string) {
		d.withState(true, func(st *state) error {
			if path == "" {
				delete(st.Netns, id)
			} else {
				st.Netns[id] = path
			}
			return d.record(st)
		})
	}
	setRecord(victim)
	defer setRecord("")
	if err := d.DeleteNetns(id); !errors.Is(err, ErrInvalid) {
		t.Errorf("DeleteNetns(%q recorded at %s) = %v, want ErrInvalid", id, victim, err)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("DeleteNetns removed %s: %v", victim, err)
	}
}
