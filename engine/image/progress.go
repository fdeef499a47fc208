package image

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// progress reports per-layer download progress. On a terminal each layer's line is
// rewritten in place as bytes arrive; otherwise one plain line per finished layer is
// written. A nil *progress reports nothing.
type progress struct {
	mu   sync.Mutex
	w    io.Writer
	term bool
}

func newProgress(w io.Writer, term bool) *progress {
	if w == nil {
		return nil
	}
	return &progress{w: w, term: term}
}

func short(h v1.Hash) string {
	if len(h.Hex) > 12 {
		return h.Hex[:12]
	}
	return h.Hex
}

func (p *progress) done(h v1.Hash, what string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.term {
		fmt.Fprintf(p.w, "\r\x1b[K%s: %s\n", short(h), what)
		return
	}
	fmt.Fprintf(p.w, "%s: %s\n", short(h), what)
}

// reader wraps r so that reading it reports progress of layer h of total bytes.
func (p *progress) reader(h v1.Hash, r io.Reader, total int64) io.Reader {
	if p == nil || !p.term {
		return r
	}
	return &progressReader{p: p, h: h, r: r, total: total}
}

type progressReader struct {
	p        *progress
	h        v1.Hash
	r        io.Reader
	n, total int64
	last     int64
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.n += int64(n)
	if r.n-r.last >= 256<<10 || err != nil {
		r.last = r.n
		r.p.mu.Lock()
		fmt.Fprintf(r.p.w, "\r\x1b[K%s: downloading %.1f/%.1f MB", short(r.h), float64(r.n)/1e6, float64(r.total)/1e6)
		r.p.mu.Unlock()
	}
	return n, err
}

// decompress returns the uncompressed stream of a layer blob: gzip is detected by its
// magic bytes, anything else is read as a plain tar.
func decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read layer: %w", err)
	}
	if bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read gzip layer: %w", err)
		}
		return zr, nil
	}
	return io.NopCloser(br), nil
}

func isNotEmpty(err error) bool {
	return errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST)
}
