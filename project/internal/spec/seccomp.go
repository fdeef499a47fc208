package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

// SeccompProfile is svc's engine.Spec.Seccomp, from security_opt as Docker Compose
// reads it: seccomp=unconfined (or seccomp:unconfined) for none, seccomp=builtin or no
// option for Docker's default profile, seccomp=FILE for a profile in Docker's JSON
// format, read from FILE as given, else relative to the project directory, and
// compacted. Errors name the compose file's position and the field.
func SeccompProfile(p *compose.Project, svc compose.ServiceConfig) (string, error) {
	profile := ""
	for i, o := range svc.SecurityOpt {
		key, val, ok := strings.Cut(o, "=")
		if !ok {
			key, val, ok = strings.Cut(o, ":")
		}
		if !ok || key != "seccomp" {
			continue
		}
		switch val {
		case "unconfined":
			profile = engine.SeccompUnconfined
		case "builtin":
			profile = ""
		default:
			b, err := readSeccompFile(p.WorkingDir, val)
			if err != nil {
				path := fmt.Sprintf("services.%s.security_opt[%d]", svc.Name, i)
				return "", fmt.Errorf("%s: %s: %w", p.Positions[path], path, err)
			}
			profile = b
		}
	}
	return profile, nil
}

// readSeccompFile reads and compacts the JSON profile at name (as given, then in dir)
// and checks that the engine can compile it.
func readSeccompFile(dir, name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil && !filepath.IsAbs(name) {
		b, err = os.ReadFile(filepath.Join(dir, name))
	}
	if err != nil {
		return "", fmt.Errorf("seccomp profile: %w", err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return "", fmt.Errorf("seccomp profile %s: %w: %w", name, err, state.ErrInvalid)
	}
	if err := engine.ValidateSeccomp(out.String()); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return out.String(), nil
}
