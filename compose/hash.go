package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ServiceHash returns the config hash of a service exactly as Docker Compose v5.6.0
// computes it (pkg/compose ServiceHash): the SHA-256 of json.Marshal of the typed
// ServiceConfig (Compose pins the top-level key order to compose-go's historical field
// order, which berth's struct keeps; nested structs in compose-go v2.16's order) with
// build, pull_policy, scale, deploy.replicas, depends_on and profiles cleared, so a
// change to those alone does not recreate a container. As in `docker compose config
// --hash`, the environment is hashed resolved (env files merged in, keys without a
// value taken from the environment). It wraps ErrNotFound for an unknown service.
func (p *Project) ServiceHash(name string) (string, error) {
	s, ok := p.Services[name]
	if !ok {
		return "", fmt.Errorf("config hash of service %q: %w", name, ErrNotFound)
	}
	s.Build = nil
	s.PullPolicy = ""
	s.Scale = nil
	if s.Deploy != nil {
		d := *s.Deploy
		d.Replicas = nil
		s.Deploy = &d
	}
	s.DependsOn = nil
	s.Profiles = nil
	// Compose v5 hashes the environment resolved (WithServicesEnvironmentResolved):
	// env files merged in and dropped, keys without a value taken from the project's
	// environment; that is the loaded Environment.
	s.EnvFiles = nil
	data, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("config hash of service %q: %w", name, err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
