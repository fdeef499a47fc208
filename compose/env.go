package compose

import (
	"fmt"
	"os"
)

// readEnvFiles loads env files in order, later files winning; each file sees the
// variables of the process environment and, where the environment lacks them, of earlier
// lines and files (as Compose).
func readEnvFiles(files []string, environ map[string]string, required bool) (map[string]string, error) {
	out := map[string]string{}
	lookup := func(n string) (string, bool) {
		if v, ok := environ[n]; ok {
			return v, true
		}
		v, ok := out[n]
		return v, ok
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			if !required && os.IsNotExist(err) {
				continue
			}
			return nil, fmt.Errorf("read env file %s: %w", f, err)
		}
		if err := parseDotEnv(f, string(data), lookup, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}
