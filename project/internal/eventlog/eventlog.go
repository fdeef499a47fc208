package eventlog

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// Event is one container event, one line of the log.
type Event struct {
	Time    time.Time `json:"time"`
	ID      string    `json:"id"`
	Service string    `json:"service"`
	// Action is Docker's: "create", "start", "die", ..., "health_status: healthy".
	Action     string            `json:"action"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Oneoff     bool              `json:"oneoff,omitempty"` // a `run` container's (Compose leaves them out)
	// Run names the run a die ends (its end time): two dies of one run are one event.
	Run string `json:"run,omitempty"`
}

// MaxSize is the size past which Append moves the log to <path>.1 (replacing the
// previous one) and starts a new one.
const MaxSize = 4 << 20

// Append adds ev to the log at path, making it (and its dir, 0700) when missing. Each
// event is one write on a file opened O_APPEND, so that writers of several processes
// do not interleave.
func Append(path string, ev Event) error {
	line, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("event %s: %w", ev.Action, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("event log: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > MaxSize {
		rotate(path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("event log: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("event log %s: %w", path, err)
	}
	return nil
}

// rotate moves the log at path to <path>.1 under an exclusive lock of the log, unless
// another writer rotated it meanwhile (path then names a new, smaller file). A log
// that cannot be rotated is appended to: events are kept either way.
func rotate(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	if unix.Flock(int(f.Fd()), unix.LOCK_EX) != nil {
		return
	}
	defer unix.Flock(int(f.Fd()), unix.LOCK_UN)
	open, err1 := f.Stat()
	named, err2 := os.Stat(path)
	if err1 == nil && err2 == nil && os.SameFile(open, named) && named.Size() > MaxSize {
		os.Rename(path, path+".1")
	}
}
