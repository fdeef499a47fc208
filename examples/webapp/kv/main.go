// Command kv is the key-value store of the webapp example: a small HTTP server that
// keeps one file per key in its data directory (a named volume in compose.yaml), so
// the values survive a restart or a recreate of the container.
//
//	GET  /keys/{key}   the value, 404 when unset
//	PUT  /keys/{key}   set the value to the request body
//	POST /incr/{key}   add one to an integer value (unset counts as 0), answer the result
//	GET  /health       "ok" once the data directory is writable
//
// With -healthcheck it asks a running server for /health and exits 0 or 1, so the
// image needs no shell or curl for its HEALTHCHECK.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/examples/internal/health"
)

var validKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// store keeps one file per key under dir; mu serializes writes and increments.
type store struct {
	mu  sync.Mutex
	dir string
}

func (s *store) get(key string) (string, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, key))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// set writes the value to a temporary file and renames it over the key's, so a
// reader never sees half a value.
func (s *store) set(key, value string) error {
	tmp := filepath.Join(s.dir, "."+key+".tmp")
	if err := os.WriteFile(tmp, []byte(value), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, key)); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

func (s *store) incr(key string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.get(key)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	n := 0
	if old != "" {
		if n, err = strconv.Atoi(strings.TrimSpace(old)); err != nil {
			return 0, fmt.Errorf("key %s holds %q, not an integer", key, old)
		}
	}
	n++
	return n, s.set(key, strconv.Itoa(n))
}

func (s *store) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /keys/{key}", func(w http.ResponseWriter, r *http.Request) {
		if key, ok := pathKey(w, r); ok {
			v, err := s.get(key)
			if errors.Is(err, os.ErrNotExist) {
				http.Error(w, "no such key", http.StatusNotFound)
				return
			}
			reply(w, v, err)
		}
	})
	mux.HandleFunc("PUT /keys/{key}", func(w http.ResponseWriter, r *http.Request) {
		if key, ok := pathKey(w, r); ok {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err == nil {
				s.mu.Lock()
				err = s.set(key, string(body))
				s.mu.Unlock()
			}
			reply(w, "", err)
		}
	})
	mux.HandleFunc("POST /incr/{key}", func(w http.ResponseWriter, r *http.Request) {
		if key, ok := pathKey(w, r); ok {
			n, err := s.incr(key)
			reply(w, strconv.Itoa(n), err)
		}
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		err := s.set("_health", time.Now().UTC().Format(time.RFC3339))
		s.mu.Unlock()
		reply(w, "ok", err)
	})
	return mux
}

// pathKey returns the request's {key}, answering 400 for a key that could name a
// path outside the data directory.
func pathKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	k := r.PathValue("key")
	if !validKey.MatchString(k) {
		http.Error(w, "invalid key: want 1 to 64 of [A-Za-z0-9_-]", http.StatusBadRequest)
		return "", false
	}
	return k, true
}

func reply(w http.ResponseWriter, body string, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	io.WriteString(w, body)
}

func main() {
	addr := flag.String("addr", ":7000", "listen address")
	dir := flag.String("dir", "/data", "directory holding the values")
	check := flag.Bool("healthcheck", false, "ask a running server for /health and exit")
	flag.Parse()
	if *check {
		os.Exit(health.Check(*addr))
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatalf("kv: data directory: %v", err)
	}
	s := &store{dir: *dir}
	log.Printf("kv: serving %s on %s", *dir, *addr)
	log.Fatal(http.ListenAndServe(*addr, s.routes()))
}
