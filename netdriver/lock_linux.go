package netdriver

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// withState runs fn with the state loaded under an exclusive flock on StateDir/lock, which
// serialises berth processes sharing StateDir; d.mu serialises goroutines of this process.
// When fn returns nil and save is true, the state is written back atomically.
func (d *Driver) withState(save bool, fn func(st *state) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := os.OpenFile(filepath.Join(d.opts.StateDir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("lock network state: %w", err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("lock network state: %w", err)
	}
	path := d.statePath()
	st, err := loadState(path)
	if err != nil {
		return err
	}
	if err := fn(st); err != nil {
		if save {
			// Record whatever fn already made so Sweep can still find it.
			_ = saveState(path, st)
		}
		return err
	}
	if !save {
		return nil
	}
	return saveState(path, st)
}

// record writes st to disk in the middle of a withState call, before fn makes the
// kernel object st now records: a kill -9 while it is being made then leaves a record
// that DeleteNetwork, DeleteNetns or Sweep removes, never an object nothing knows of.
func (d *Driver) record(st *state) error {
	return saveState(d.statePath(), st)
}

func (d *Driver) statePath() string { return filepath.Join(d.opts.StateDir, "state.json") }
