package compose

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dotEnvOracleEnv is the process environment testdata/dotenv/regen.sh gives the oracle.
var dotEnvOracleEnv = map[string]string{"HOME": "/tmp/oraclehome", "PATH": "/usr/bin:/bin", "FROM_ENV": "os", "A": "os"}

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(n string) (string, bool) { v, ok := env[n]; return v, ok }
}

// dotEnvErrors is where berth reports each error case of testdata/dotenv (Compose's own
// message is in CASE.err; berth names the opening quote, not the end of the file).
var dotEnvErrors = map[string]struct{ pos, msg string }{
	"err-bad-char":            {"2:4", `unexpected character "$" in variable name "BAD$NAME=2"`},
	"err-bad-template":        {"1:3", `A: unclosed "${"`},
	"err-required-var":        {"1:3", "A: required variable MISSING is missing a value: must be set"},
	"err-space-in-key":        {"2:4", "BAD KEY: variable name cannot contain a space"},
	"err-unterminated-double": {"2:3", `B: unterminated quoted value "never closed`},
	"err-unterminated-eof":    {"2:3", `B: unterminated quoted value "at end`},
	"err-unterminated-single": {"2:3", `B: unterminated quoted value 'never closed`},
}

// TestParseDotEnv parses every testdata/dotenv/CASE.env and compares the variables with
// what Docker Compose v5.6.0 made of the file as an env_file (CASE.json), or checks that it
// fails where Compose failed (CASE.err) with berth's file:line:col and message.
func TestParseDotEnv(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "dotenv", "*.env"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in testdata/dotenv: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".env")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			err = parseDotEnv(file, string(data), lookupIn(dotEnvOracleEnv), got)
			if _, statErr := os.Stat(strings.TrimSuffix(file, ".env") + ".err"); statErr == nil {
				checkDotEnvError(t, name, file, err)
				return
			}
			if err != nil {
				t.Fatalf("parseDotEnv(%s) = %v, want success", file, err)
			}
			if diff := cmp.Diff(oracleEnv(t, strings.TrimSuffix(file, ".env")+".json"), got); diff != "" {
				t.Errorf("parseDotEnv(%s) mismatch with Compose (-want +got):\n%s", file, diff)
			}
		})
	}
}

func checkDotEnvError(t *testing.T, name, file string, err error) {
	t.Helper()
	want, ok := dotEnvErrors[name]
	if !ok {
		t.Fatalf("Compose rejects %s: add its berth position and message to dotEnvErrors", file)
	}
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("parseDotEnv(%s) = %v, want an *Error like Compose's %s.err", file, err, name)
	}
	if !strings.HasPrefix(err.Error(), file+":"+want.pos+": "+want.msg) {
		t.Errorf("parseDotEnv(%s) = %q, want %q", file, err, file+":"+want.pos+": "+want.msg)
	}
}

// oracleEnv reads a recorded environment; `config` doubles every $ in values.
func oracleEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s (regenerate with testdata/dotenv/regen.sh): %v", path, err)
	}
	var want map[string]string
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for k, v := range want {
		want[k] = strings.ReplaceAll(v, "$$", "$")
	}
	return want
}

// TestParseDotEnvDifferences pins where berth departs from compose-go on purpose.
func TestParseDotEnvDifferences(t *testing.T) {
	env := lookupIn(map[string]string{"KEY": "os"})
	tests := []struct {
		name, data string
		want       map[string]string
		wantErr    string
	}{
		// compose-go stores "" = "KEY" when the last line has no newline.
		{"bare key on the last line", "A=1\nKEY", map[string]string{"A": "1", "KEY": "os"}, ""},
		{"bare unset key on the last line", "UNSET", map[string]string{}, ""},
		// compose-go fails with "zero length string".
		{"export alone on the last line", "A=1\nexport ", map[string]string{"A": "1"}, ""},
		// compose-go stores the variable "", which no process can be given.
		{"empty name", "A=1\n=2\n", nil, `x.env:2:1: missing variable name before "="`},
		{"empty name yaml style", ": v", nil, `x.env:1:1: missing variable name before ":"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			err := parseDotEnv("x.env", tc.data, env, got)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("parseDotEnv(%q) = %v, want %s", tc.data, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseDotEnv(%q) = %v", tc.data, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseDotEnv(%q) (-want +got):\n%s", tc.data, diff)
			}
		})
	}
}

func TestReadEnvFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "run.env")
	if err := os.WriteFile(file, []byte("A=1\nB=${A}-${FROM}\nFROM\n# comment\nQ=\"x y\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lookup := lookupIn(map[string]string{"FROM": "f"})
	got, err := ReadEnvFile(file, lookup)
	want := map[string]string{"A": "1", "B": "1-f", "FROM": "f", "Q": "x y"}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("ReadEnvFile = %v, %v; want %v", got, err, want)
	}
	if _, err := ReadEnvFile(filepath.Join(t.TempDir(), "missing.env"), lookup); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadEnvFile(missing) = %v, want os.ErrNotExist", err)
	}
	os.WriteFile(file, []byte("A=\"open\n"), 0o644)
	if _, err := ReadEnvFile(file, lookup); err == nil || !strings.Contains(err.Error(), "run.env:1:") {
		t.Errorf("ReadEnvFile(unterminated quote) = %v, want an error at run.env:1", err)
	}
}
