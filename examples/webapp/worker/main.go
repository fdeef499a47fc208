// Command worker is the background job of the webapp example: every -interval it
// adds one to the "worker-beats" counter in the kv service, reached by its service
// name through berth's DNS, and logs the new count. A failed beat is logged and
// retried at the next tick; SIGTERM stops it cleanly.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func beat(ctx context.Context, c *http.Client, kv string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+kv+"/incr/worker-beats", nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("beat: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("beat: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("beat: kv answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}

func main() {
	kv := flag.String("kv", "kv:7000", "address of the kv service")
	interval := flag.Duration("interval", 2*time.Second, "time between heartbeats")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	c := &http.Client{Timeout: 5 * time.Second}
	t := time.NewTicker(*interval)
	defer t.Stop()
	log.Printf("worker: writing a heartbeat to %s every %s", *kv, *interval)
	for {
		if n, err := beat(ctx, c, *kv); err != nil {
			log.Print(err)
		} else {
			log.Printf("worker: heartbeat %s", n)
		}
		select {
		case <-ctx.Done():
			log.Print("worker: stopping")
			return
		case <-t.C:
		}
	}
}
