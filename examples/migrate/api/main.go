// Command api is the service of the migrate example that must never run on an
// unmigrated database. It refuses to start unless the database directory -db records
// applied migrations, then serves:
//
//	GET /version   the schema version and the applied migrations
//	GET /health    "ok"
//
// With -healthcheck it asks a running server for /health and exits 0 or 1.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/examples/internal/health"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	db := flag.String("db", "/db", "database directory, written by the migrate service")
	check := flag.Bool("healthcheck", false, "ask a running server for /health and exit")
	flag.Parse()
	if *check {
		os.Exit(health.Check(*addr))
	}
	b, err := os.ReadFile(filepath.Join(*db, "applied"))
	if err != nil {
		log.Fatalf("api: database not migrated (run the migrate service first): %v", err)
	}
	migrations := strings.Fields(string(b))
	log.Printf("api: schema at version %d, listening on %s", len(migrations), *addr)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "schema version %d (%s)\n", len(migrations), strings.Join(migrations, ", "))
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	log.Fatal(http.ListenAndServe(*addr, mux))
}
