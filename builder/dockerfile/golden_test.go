package dockerfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*/want.json and want.err")

// golden is what want.json holds: the parse result and the stage resolution
// for the target named in the case's optional `target` file.
type golden struct {
	Dockerfile *Dockerfile `json:"dockerfile"`
	Target     int         `json:"target"`
	Needed     []int       `json:"needed"`
}

func readArgs(t *testing.T, dir string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "args"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			args[k] = v
		}
	}
	return args
}

func runCase(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df, err := Parse(bytes.NewReader(src), Options{BuildArgs: readArgs(t, dir)})
	if err == nil {
		target, _ := os.ReadFile(filepath.Join(dir, "target"))
		var st *Stage
		if st, err = df.Target(strings.TrimSpace(string(target))); err == nil {
			out, err := json.MarshalIndent(golden{df, st.Index, df.Needed(st)}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			return "want.json", append(out, '\n')
		}
	}
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("Parse error %v is not a *Error", err)
	}
	return "want.err", []byte(err.Error() + "\n")
}

func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/Dockerfile")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, f := range dirs {
		dir := filepath.Dir(f)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			name, got := runCase(t, dir)
			if *update {
				os.Remove(filepath.Join(dir, "want.json"))
				os.Remove(filepath.Join(dir, "want.err"))
				if err := os.WriteFile(filepath.Join(dir, name), got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("Parse(%s) produced %s, but reading it: %v", dir, name, err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Parse(%s) %s mismatch (-want +got):\n%s", dir, name, diff)
			}
		})
	}
}
