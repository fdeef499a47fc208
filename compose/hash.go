package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ServiceHash returns the config hash of a service as Docker Compose defines it: the
// SHA-256 of the service's JSON without build, pull_policy, scale, deploy.replicas,
// depends_on and profiles, so a change to those alone does not recreate a container.
// berth encodes the JSON with sorted keys; Compose encodes its struct field order, so
// the digests are berth's own and stable across berth runs. It wraps ErrNotFound for
// an unknown service.
func (p *Project) ServiceHash(name string) (string, error) {
	svc, ok := p.Services()[name]
	if !ok {
		return "", fmt.Errorf("config hash of service %q: %w", name, ErrNotFound)
	}
	c := deepCopy(svc).(map[string]any)
	for _, k := range []string{"build", "pull_policy", "scale", "depends_on", "profiles"} {
		delete(c, k)
	}
	if d, ok := c["deploy"].(map[string]any); ok {
		delete(d, "replicas")
	}
	data, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("config hash of service %q: %w", name, err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
