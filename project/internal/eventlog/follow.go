package eventlog

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// FollowOptions choose the events Follow reports.
type FollowOptions struct {
	// Since reports the events of the log from this time on; zero: only those
	// appended after Follow began, as `docker events` without --since.
	Since time.Time
	// Until ends Follow once an event after it is read or the clock passes it (the
	// log read to its end first); zero: Follow goes on until ctx ends.
	Until time.Time
}

// pollInterval is how often Follow looks for new lines.
const pollInterval = 100 * time.Millisecond

// Follow calls fn with each event of the log at path, in the order written, the
// second die of one run left out, until fn fails, ctx ends (nil) or opts.Until
// passes (nil). With opts.Since the log rotated away (<path>.1) is read first. A
// missing log is waited for; a log replaced (rotated, or removed and made again) is
// read to its end, then the new one from its start.
func Follow(ctx context.Context, path string, opts FollowOptions, fn func(Event) error) error {
	fl := &follower{path: path, opts: opts, fn: fn, dies: map[string]bool{}}
	if !opts.Since.IsZero() {
		if err := fl.readRotated(); err != nil {
			return err
		}
	}
	first := true
	for {
		if fl.f == nil {
			if err := fl.open(first && opts.Since.IsZero()); err != nil {
				return err
			}
			first = false
		}
		if err := fl.drain(); err != nil {
			return err
		}
		if fl.done || (!opts.Until.IsZero() && time.Now().After(opts.Until)) {
			return fl.close()
		}
		if fl.f != nil && fl.replaced() {
			if err := fl.drain(); err != nil {
				return err
			}
			fl.close()
		}
		select {
		case <-ctx.Done():
			return fl.close()
		case <-time.After(pollInterval):
		}
	}
}

type follower struct {
	path string
	opts FollowOptions
	fn   func(Event) error
	f    *os.File
	r    *bufio.Reader
	ino  uint64
	part []byte // a line read without its newline yet
	dies map[string]bool
	done bool
}

// readRotated reports the events of the log Append rotated away (<path>.1), which
// are older than those of the log.
func (fl *follower) readRotated() error {
	f, err := os.Open(fl.path + ".1")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	defer f.Close()
	fl.f, fl.r = f, bufio.NewReader(f)
	err = fl.drain()
	fl.f, fl.r, fl.part = nil, nil, nil
	return err
}

// open opens the log when it exists (at its end with atEnd); a missing one leaves f nil.
func (fl *follower) open(atEnd bool) error {
	f, err := os.Open(fl.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	if atEnd {
		if _, err := f.Seek(0, io.SeekEnd); err != nil {
			f.Close()
			return fmt.Errorf("events: %w", err)
		}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("events: %w", err)
	}
	fl.f, fl.r, fl.ino, fl.part = f, bufio.NewReader(f), inode(fi), nil
	return nil
}

func (fl *follower) close() error {
	if fl.f != nil {
		fl.f.Close()
		fl.f = nil
	}
	return nil
}

// replaced reports whether the path now names another file than the one open, or none.
func (fl *follower) replaced() bool {
	fi, err := os.Stat(fl.path)
	return err != nil || inode(fi) != fl.ino
}

func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// drain reports every whole line written so far.
func (fl *follower) drain() error {
	for fl.f != nil && !fl.done {
		b, err := fl.r.ReadBytes('\n')
		fl.part = append(fl.part, b...)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("events: %w", err)
		}
		line := fl.part
		fl.part = nil
		if err := fl.line(line); err != nil {
			return err
		}
	}
	return nil
}

// line reports the event of one line; a line that is not an event (a torn write of a
// crashed writer) is skipped.
func (fl *follower) line(b []byte) error {
	var ev Event
	if json.Unmarshal(b, &ev) != nil {
		return nil
	}
	if !fl.opts.Until.IsZero() && ev.Time.After(fl.opts.Until) {
		fl.done = true
		return nil
	}
	if ev.Time.Before(fl.opts.Since) {
		return nil
	}
	if ev.Run != "" {
		key := ev.ID + " " + ev.Run
		if fl.dies[key] {
			return nil
		}
		fl.dies[key] = true
	}
	return fl.fn(ev)
}
