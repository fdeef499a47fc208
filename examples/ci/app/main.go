// Command app is the service under test of the ci example: a tiny JSON API.
//
//	GET /greet?name=NAME   {"greeting": "hello, NAME"}; 400 without a name
//	GET /health            "ok"
//
// With -healthcheck it asks a running server for /health and exits 0 or 1.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

func greet(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		http.Error(w, `query parameter "name" is required`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"greeting": "hello, " + name})
}

func healthcheck(addr string) int {
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

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	check := flag.Bool("healthcheck", false, "ask a running server for /health and exit")
	flag.Parse()
	if *check {
		os.Exit(healthcheck(*addr))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /greet", greet)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	log.Printf("app: listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
