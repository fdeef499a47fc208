//go:build ignore

// gen writes the shim's C header (shimproto.HeaderFile) from the protocol's tables:
// go generate ./engine/shimproto.
package main

import (
	"log"
	"os"

	"github.com/berth-dev/berth/engine/shimproto"
)

func main() {
	if err := os.WriteFile(shimproto.HeaderFile, shimproto.Header(), 0o644); err != nil {
		log.Fatalf("write %s: %v", shimproto.HeaderFile, err)
	}
}
