package engine

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// LogEntry is one line of a container's json log, as Docker's json-file driver writes it.
type LogEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

const logName = "container.log"

// LogOptions select which log entries Logs returns.
type LogOptions struct {
	Tail   int       // last N entries; 0 means all
	Since  time.Time // entries at or after; zero means all
	Until  time.Time // entries at or before, Tail counting only those; zero means all
	Follow bool      // keep returning new entries until the container exits
}

// Logs calls fn for each selected entry, oldest first, reading rotated files too.
// With Follow it keeps reading while the container runs and returns after it exited
// and the log is drained. It returns ErrNotFound for an unknown container.
func (e *Engine) Logs(id string, opts LogOptions, fn func(LogEntry) error) error {
	if _, err := e.State(id); err != nil {
		return err
	}
	if spec, err := e.Spec(id); err == nil && spec.NoLog {
		return fmt.Errorf("logs of container %q: %w", id, ErrNoLog)
	}
	dir, _ := e.dir(id) // State checked id
	entries, cur, off, err := readRotated(dir)
	if err != nil {
		return err
	}
	fl := &follower{dir: dir, off: off}
	if cur != nil {
		fl.f, fl.ino = cur, fdInode(cur)
	}
	defer fl.close()
	var sel []LogEntry
	for _, le := range entries {
		if le.Time.Before(opts.Since) || !opts.Until.IsZero() && le.Time.After(opts.Until) {
			continue
		}
		sel = append(sel, le)
	}
	if opts.Tail > 0 && len(sel) > opts.Tail {
		sel = sel[len(sel)-opts.Tail:]
	}
	for _, le := range sel {
		if err := fn(le); err != nil {
			return err
		}
	}
	if !opts.Follow {
		return nil
	}
	return e.follow(id, fl, fn)
}

// readRotated reads container.log.N ... .1 then container.log; it returns the current
// file, still open (the caller closes it; nil if there is none yet), and the offset
// read up to, so a follow goes on from exactly there even if the file rotates.
func readRotated(dir string) ([]LogEntry, *os.File, int64, error) {
	var all []LogEntry
	for _, i := range rotatedLogs(dir) {
		es, _, err := readLogFile(filepath.Join(dir, logName+"."+strconv.Itoa(i)), 0)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, 0, err
		}
		all = append(all, es...)
	}
	f, err := os.Open(filepath.Join(dir, logName))
	if errors.Is(err, fs.ErrNotExist) {
		return all, nil, 0, nil
	}
	if err != nil {
		return nil, nil, 0, err
	}
	es, off, _ := readLogFrom(f, 0)
	return append(all, es...), f, off, nil
}

// rotatedLogs lists the numbers N of the dir's container.log.N files, oldest (highest)
// first.
func rotatedLogs(dir string) []int {
	names, _ := readDirNames(dir)
	var ns []int
	for _, name := range names {
		if v, ok := strings.CutPrefix(name, logName+"."); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				ns = append(ns, n)
			}
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ns)))
	return ns
}

// readLogFile decodes complete lines from off and returns the offset after the last one.
func readLogFile(path string, off int64) ([]LogEntry, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, off, err
	}
	defer f.Close()
	return readLogFrom(f, off)
}

// readLogFrom decodes complete lines of f from off and returns the offset after the
// last one; a partial last line is read next time.
func readLogFrom(f *os.File, off int64) ([]LogEntry, int64, error) {
	var out []LogEntry
	br := bufio.NewReader(io.NewSectionReader(f, off, 1<<62))
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			return out, off, nil
		}
		off += int64(len(line))
		var le LogEntry
		if json.Unmarshal(line, &le) == nil {
			out = append(out, le)
		}
	}
}
