// Command migrate is the one-shot schema migration of the migrate example. It applies,
// in name order, every migration file of -migrations not yet recorded in the database
// directory -db (a named volume shared with the api), records each one, prints the
// schema version and exits 0; any failure exits 1, so the api, which depends on it
// with condition service_completed_successfully, never starts on a half-migrated
// database. Running it again applies nothing new.
//
// The "database" is deliberately simple: schema.sql accumulates the applied
// statements and applied lists the applied migrations, one a line.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// applied returns the migrations recorded in dir/applied.
func applied(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "applied"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	return strings.Fields(string(b)), nil
}

// apply appends the migration's statements to schema.sql, then records its name.
func apply(db, file string) error {
	stmts, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("migration %s: %w", filepath.Base(file), err)
	}
	for _, w := range []struct{ name, text string }{
		{"schema.sql", fmt.Sprintf("-- %s\n%s\n", filepath.Base(file), stmts)},
		{"applied", filepath.Base(file) + "\n"},
	} {
		f, err := os.OpenFile(filepath.Join(db, w.name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("migration %s: %w", filepath.Base(file), err)
		}
		_, err = f.WriteString(w.text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("migration %s: write %s: %w", filepath.Base(file), w.name, err)
		}
	}
	return nil
}

func migrate(dir, db string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("no migrations (*.sql) in %s", dir)
	}
	sort.Strings(files)
	done, err := applied(db)
	if err != nil {
		return 0, err
	}
	for _, f := range files {
		if slices.Contains(done, filepath.Base(f)) {
			continue
		}
		log.Printf("migrate: applying %s", filepath.Base(f))
		if err := apply(db, f); err != nil {
			return 0, err
		}
	}
	return len(files), nil
}

func main() {
	log.SetFlags(0)
	dir := flag.String("migrations", "/migrations", "directory of *.sql migrations, applied in name order")
	db := flag.String("db", "/db", "database directory")
	flag.Parse()
	version, err := migrate(*dir, *db)
	if err != nil {
		log.Fatalf("migrate: %v", err)
	}
	log.Printf("migrate: schema at version %d", version)
}
