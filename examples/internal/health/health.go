// Package health is the healthcheck the example servers run as `SERVER -healthcheck`:
// it asks the server on this host for /health, so a FROM scratch image needs no curl.
package health

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

// Check asks the server listening on addr (":8080") for /health and returns the exit
// status for the healthcheck: 0 when it answers 200, 1 otherwise (the reason on stderr).
func Check(addr string) int {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://127.0.0.1" + addr + "/health")
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "healthcheck:", resp.Status)
		return 1
	}
	return 0
}
