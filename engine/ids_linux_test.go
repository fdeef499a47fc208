package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// mustDir is the container dir of a valid ID, in tests.
func mustDir(e *Engine, id string) string {
	d, err := e.dir(id)
	if err != nil {
		panic(err)
	}
	return d
}

// TestBadIDsStayUnderRoot: an ID that is not one path element (as a damaged state file
// could hand over) is refused by every method, and nothing outside <root>/containers is
// read, locked or removed.
func TestBadIDsStayUnderRoot(t *testing.T) {
	base := t.TempDir()
	e := &Engine{Root: filepath.Join(base, "root"), CgroupParent: "bte-ids-" + strconv.Itoa(os.Getpid())}
	victim := filepath.Join(base, "victim")
	for _, d := range []string{filepath.Join(e.Root, "containers"), victim} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(e.Root, "state.json"), []byte(`{"id": "..", "status": "exited"}`), 0o600)
	for _, id := range []string{"", ".", "..", "../../victim", "a/b", ".hidden"} {
		calls := map[string]error{
			"Remove": e.Remove(id, true),
			"Kill":   e.Kill(id, syscall.SIGKILL),
			"Start":  e.Start(id),
			"Logs":   e.Logs(id, LogOptions{}, func(LogEntry) error { return nil }),
		}
		_, calls["State"] = e.State(id)
		_, calls["Command"] = e.Command(id)
		_, calls["Lock"] = e.Lock(id)
		_, calls["UpperDir"] = e.UpperDir(id)
		_, calls["Stop"] = e.Stop(id, syscall.SIGKILL, time.Second)
		_, calls["Exec"] = e.Exec(id, ExecSpec{Cmd: []string{"true"}})
		for name, err := range calls {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s(%q) = %v, want ErrInvalid", name, id, err)
			}
		}
	}
	for _, d := range []string{e.Root, filepath.Join(e.Root, "state.json"), victim} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s is gone: %v", d, err)
		}
	}
}
