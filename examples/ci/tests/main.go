// Command tests is the test suite of the ci example, run as a one-off container with
// `berth run --rm tests`. It checks the app service, reached by its service name
// through berth's DNS, prints one line per check in `go test -v`'s style and exits 1
// when any check failed, so the CI job fails with it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// check is one test case: it returns nil when the app behaves.
type check struct {
	name string
	run  func(base string) error
}

var client = http.Client{Timeout: 5 * time.Second}

func get(url string) (int, string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

var checks = []check{
	{"TestHealth", func(base string) error {
		code, body, err := get(base + "/health")
		if err != nil || code != http.StatusOK || body != "ok" {
			return fmt.Errorf("GET /health = %d %q, %v; want 200 \"ok\"", code, body, err)
		}
		return nil
	}},
	{"TestGreet", func(base string) error {
		code, body, err := get(base + "/greet?name=berth")
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("GET /greet?name=berth = %d %q, %v; want 200", code, body, err)
		}
		var got struct{ Greeting string }
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			return fmt.Errorf("GET /greet?name=berth: body %q: %w", body, err)
		}
		if got.Greeting != "hello, berth" {
			return fmt.Errorf("greeting = %q, want %q", got.Greeting, "hello, berth")
		}
		return nil
	}},
	{"TestGreetWithoutName", func(base string) error {
		code, body, err := get(base + "/greet")
		if err != nil || code != http.StatusBadRequest {
			return fmt.Errorf("GET /greet = %d %q, %v; want 400", code, strings.TrimSpace(body), err)
		}
		return nil
	}},
}

func main() {
	base := flag.String("url", "http://app:8080", "base URL of the app under test")
	flag.Parse()
	failed := 0
	for _, c := range checks {
		start := time.Now()
		fmt.Printf("=== RUN   %s\n", c.name)
		if err := c.run(*base); err != nil {
			failed++
			fmt.Printf("--- FAIL: %s (%.2fs)\n    %v\n", c.name, time.Since(start).Seconds(), err)
			continue
		}
		fmt.Printf("--- PASS: %s (%.2fs)\n", c.name, time.Since(start).Seconds())
	}
	if failed > 0 {
		fmt.Printf("FAIL: %d of %d checks failed\n", failed, len(checks))
		os.Exit(1)
	}
	fmt.Println("PASS")
}
