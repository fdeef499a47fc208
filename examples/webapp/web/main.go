// Command web is the front end of the webapp example. Every GET / adds one to the
// "hits" counter kept by the kv service, which it reaches by its service name through
// berth's DNS, and answers with the count, the address "kv" resolved to and the
// worker's heartbeat count.
//
// With -healthcheck it asks a running server for /health and exits 0 or 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/berth-dev/berth/examples/internal/health"
)

// kvClient talks to the kv service's HTTP API.
type kvClient struct {
	addr string // host:port, e.g. kv:7000
	http http.Client
}

func (c *kvClient) do(ctx context.Context, method, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.addr+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("kv %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("kv %s %s: %w", method, path, err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return "", nil
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("kv %s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}

func (c *kvClient) index(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(c.addr)
	if err != nil {
		http.Error(w, fmt.Sprintf("kv address %q: %v", c.addr, err), http.StatusInternalServerError)
		return
	}
	addrs, err := net.DefaultResolver.LookupHost(r.Context(), host)
	if err != nil {
		http.Error(w, fmt.Sprintf("resolve %s: %v", host, err), http.StatusBadGateway)
		return
	}
	hits, err := c.do(r.Context(), "POST", "/incr/hits")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	beats, err := c.do(r.Context(), "GET", "/keys/worker-beats")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if beats == "" {
		beats = "0"
	}
	fmt.Fprintf(w, "Hello from berth! Visits: %s\n", hits)
	fmt.Fprintf(w, "The counter lives in the %s service (%s resolved to %s through berth's DNS).\n", host, host, strings.Join(addrs, ", "))
	fmt.Fprintf(w, "Worker heartbeats so far: %s\n", beats)
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	kv := flag.String("kv", "kv:7000", "address of the kv service")
	check := flag.Bool("healthcheck", false, "ask a running server for /health and exit")
	flag.Parse()
	if *check {
		os.Exit(health.Check(*addr))
	}
	c := &kvClient{addr: *kv, http: http.Client{Timeout: 5 * time.Second}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.index)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	log.Printf("web: listening on %s, kv at %s", *addr, *kv)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
