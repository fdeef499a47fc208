package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// logWriter is a model of the shim's json log writer (engine/shim/shim.c, which the
// integration test TestLogsRotateTail exercises): it appends entries to
// <dir>/container.log and rotates to .1, .2, ... the same way, so that the follower can
// be tested against every rotation pattern without a container.
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
