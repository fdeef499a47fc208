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

// TestDeleteNetnsRecordedElsewhere: a namespace recorded outside RuntimeDir (by an
// older berth) is the one DeleteNetns removes, and its record goes with it.
func TestDeleteNetnsRecordedElsewhere(t *testing.T) {
	d := newTestDriver(t)
	id := "btnold" + randHex(t, 3)
	old := filepath.Join(t.TempDir(), id) // a plain file: unmounting it is EINVAL, ignored
	if err := os.WriteFile(old, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d.withState(true, func(st *state) error { st.Netns[id] = old; return nil })
	if err := d.DeleteNetns(id); err != nil {
		t.Fatalf("DeleteNetns(%q recorded at %s) = %v", id, old, err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after DeleteNetns: %v, want it removed", old, err)
	}
	d.withState(false, func(st *state) error {
		if rec, ok := st.Netns[id]; ok {
			t.Errorf("record of %q after DeleteNetns = %q, want none", id, rec)
		}
		return nil
	})
}
