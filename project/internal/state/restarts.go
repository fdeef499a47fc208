package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// RestartRecord is what the supervisor keeps about one container's restarts.
type RestartRecord struct {
	// Count is the restarts since a command last started the container.
	Count int `json:"count"`
	// LastStart is the StartedAt of the run the supervisor started last: a run that
	// began at another time was started by a command.
	LastStart time.Time `json:"lastStart"`
	// CountedExit is the FinishedAt of the exit Count counted last: a supervisor that
	// adopts the container during that exit's back-off (its predecessor was killed)
	// does not count it again.
	CountedExit time.Time `json:"countedExit,omitzero"`
}

// RestartsPath is projects/<name>/restarts.json, written by the project's supervisor only
// (state.json belongs to the commands, which hold the project lock for a whole up).
func (c Paths) RestartsPath(name string) (string, error) {
	dir, err := c.ProjectDir(name)
	return filepath.Join(dir, "restarts.json"), err
}

// LoadRestarts reads the supervisor's restart records of project name (none: an empty map).
func (c Paths) LoadRestarts(name string) (map[string]RestartRecord, error) {
	recs := map[string]RestartRecord{}
	p, err := c.RestartsPath(name)
	if err != nil {
		return recs, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return recs, nil
	}
	if err != nil {
		return recs, fmt.Errorf("read restart counts of project %q: %w", name, err)
	}
	if err := json.Unmarshal(b, &recs); err != nil {
		return map[string]RestartRecord{}, fmt.Errorf("read restart counts of project %q: %w", name, err)
	}
	return recs, nil
}

// SaveRestarts writes recs atomically. It never creates the project dir: after Down
// removed it, the write fails rather than leave a dir behind.
func (c Paths) SaveRestarts(name string, recs map[string]RestartRecord) error {
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return fmt.Errorf("save restart counts of project %q: %w", name, err)
	}
	p, err := c.RestartsPath(name)
	if err == nil {
		err = WriteAtomic(p, b)
	}
	if err != nil {
		return fmt.Errorf("save restart counts of project %q: %w", name, err)
	}
	return nil
}
