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
	"strconv"
	"sync"
	"time"
)

// LogEntry is one line of a container's json log, as Docker's json-file driver writes it.
type LogEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

const logName = "container.log"

// logWriter appends entries to <dir>/container.log, rotating to .1, .2, ... when the file
// passes maxSize. It is safe for concurrent use by the stdout and stderr copiers.
type logWriter struct {
	mu       sync.Mutex
	path     string
	f        *os.File
	size     int64
	maxSize  int64
	maxFiles int
}

func openLogWriter(dir string, maxSize int64, maxFiles int) (*logWriter, error) {
	path := filepath.Join(dir, logName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open log: %w", err)
	}
	if maxFiles < 1 {
		maxFiles = 1
	}
	return &logWriter{path: path, f: f, size: fi.Size(), maxSize: maxSize, maxFiles: maxFiles}, nil
}

func (w *logWriter) write(stream string, line []byte) error {
	b, err := json.Marshal(LogEntry{Log: string(line), Stream: stream, Time: time.Now().UTC()})
	if err != nil {
		return err
	}
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.maxSize > 0 && w.size+int64(len(b)) > w.maxSize && w.size > 0 {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	n, err := w.f.Write(b)
	w.size += int64(n)
	return err
}

// rotate shifts container.log.N-1 -> .N ... and container.log -> .1, dropping the oldest.
func (w *logWriter) rotate() error {
	w.f.Close()
	if w.maxFiles == 1 {
		os.Remove(w.path)
	}
	for i := w.maxFiles - 1; i >= 1; i-- {
		src := w.path
		if i > 1 {
			src = w.path + "." + strconv.Itoa(i-1)
		}
		os.Rename(src, w.path+"."+strconv.Itoa(i))
	}
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("rotate log: %w", err)
	}
	w.f, w.size = f, 0
	return nil
}

// copyLogs copies the container's stdout and stderr into the log, line by line; the
// returned channel closes when both streams hit EOF.
func copyLogs(dir string, spec *Spec, outs []io.ReadCloser) <-chan struct{} {
	done := make(chan struct{})
	w, err := openLogWriter(dir, spec.LogMaxSize, spec.LogMaxFiles)
	var wg sync.WaitGroup
	for i, r := range outs {
		wg.Add(1)
		go func(stream string, r io.Reader) {
			defer wg.Done()
			br := bufio.NewReaderSize(r, 16<<10)
			for {
				line, rerr := br.ReadSlice('\n')
				if len(line) > 0 && err == nil {
					w.write(stream, line)
				}
				if rerr == bufio.ErrBufferFull {
					continue
				}
				if rerr != nil {
					return
				}
			}
		}([]string{"stdout", "stderr"}[i], r)
	}
	go func() {
		wg.Wait()
		if w != nil {
			w.f.Close()
		}
		close(done)
	}()
	return done
}

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
	dir := e.dir(id)
	if _, err := e.State(id); err != nil {
		return err
	}
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
	for i := 32; i >= 1; i-- {
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
