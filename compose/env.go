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

// ReadEnvFile reads the variables of one file in the .env format (see parseDotEnv), as
// `run --env-from-file` does: lookup answers a KEY alone and ${VAR} before the file's
// earlier lines. A syntax error names file:line:col.
func ReadEnvFile(file string, lookup func(string) (string, bool)) (map[string]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read env file %s: %w", file, err)
	}
	out := map[string]string{}
	if err := parseDotEnv(file, string(data), lookup, out); err != nil {
		return nil, err
	}
	return out, nil
}
