package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ServiceHash returns the config hash of a service exactly as Docker Compose v2.29.7
// computes it (pkg/compose ServiceHash): the SHA-256 of json.Marshal of the typed
// ServiceConfig (compose-go field order, omitempty) with build, pull_policy, scale,
// deploy.replicas and depends_on cleared, so a change to those alone does not recreate
// a container. As in `docker compose config --hash`, the environment is hashed
// unresolved: env_file entries stay, and keys without a value stay null. Compose keeps
// profiles in the hash, and so does berth. It wraps ErrNotFound for an unknown service.
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
	if raw, ok := p.rawEnv[name]; ok {
		var env struct {
			Environment MappingWithEquals `json:"environment"`
			EnvFiles    []EnvFile         `json:"env_file"`
		}
		data, err := json.Marshal(map[string]any{"environment": raw.environment, "env_file": raw.envFiles})
		if err == nil {
			err = json.Unmarshal(data, &env)
		}
		if err != nil {
			return "", fmt.Errorf("config hash of service %q: %w", name, err)
		}
		s.Environment, s.EnvFiles = env.Environment, env.EnvFiles
	}
	data, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("config hash of service %q: %w", name, err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
