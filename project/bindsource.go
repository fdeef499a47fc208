package project

import (
	"errors"
	"fmt"
	"os"

	"github.com/berth-dev/berth/compose"
)

// ensureBindSources creates, as directories, the missing host paths of svc's bind
// volumes that may be created (not bind.create_host_path: false), as Docker's engine
// does for Compose; checkService has refused the others.
func ensureBindSources(svc compose.ServiceConfig) error {
	for _, v := range svc.Volumes {
		if v.Type != "bind" || !v.CreatesHostPath() {
			continue
		}
		if _, err := os.Stat(v.Source); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(v.Source, 0o755); err != nil {
				return fmt.Errorf("service %q: create bind source %q: %w", svc.Name, v.Source, err)
			}
		}
	}
	return nil
}
