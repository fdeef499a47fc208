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

	"github.com/berth-dev/berth/examples/internal/health"
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

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	check := flag.Bool("healthcheck", false, "ask a running server for /health and exit")
	flag.Parse()
	if *check {
		os.Exit(health.Check(*addr))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /greet", greet)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	log.Printf("app: listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
