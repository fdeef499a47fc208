package compose

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update-names", false, "rewrite testdata/names/*.err")

// TestLoadNames loads compose files whose names would point outside berth's root (or are
// otherwise not names Docker accepts) and compares the errors with
// testdata/names/<case>.err (regenerate with -update-names).
func TestLoadNames(t *testing.T) {
	tests := []struct {
		name, yaml string
		opts       Options
	}{
		{"volume-name-dotdot", "services:\n  a:\n    image: x\n    volumes: [vol:/d]\nvolumes:\n  vol:\n    name: ../../../../tmp/X\n", Options{}},
		{"volume-key-dotdot", "services:\n  a:\n    image: x\n    volumes: [\"../w:/d\"]\nvolumes:\n  ../w: {}\n", Options{}},
		{"volume-name-interpolated", "services:\n  a:\n    image: x\n    volumes: [vol:/d]\nvolumes:\n  vol:\n    name: ${V}\n", Options{Environ: map[string]string{"V": "../x"}}},
		{"volume-external-slash", "services:\n  a:\n    image: x\n    volumes: [vol:/d]\nvolumes:\n  vol:\n    external: true\n    name: a/b\n", Options{}},
		{"volume-name-short", "services:\n  a:\n    image: x\n    volumes: [vol:/d]\nvolumes:\n  vol: {name: v}\n", Options{}},
		{"network-name", "services:\n  a:\n    image: x\n    networks: [n]\nnetworks:\n  n:\n    name: ../n\n", Options{}},
		{"network-key", "services:\n  a:\n    image: x\n    networks: [a/b]\nnetworks:\n  a/b: {}\n", Options{}},
		{"network-external-empty", "services:\n  a:\n    image: x\n    networks: [n]\nnetworks:\n  n:\n    external: true\n    name: \"\"\n", Options{}},
		{"container-name", "services:\n  a:\n    image: x\n    container_name: ../../x\n", Options{}},
		{"image-path", "services:\n  a:\n    image: ../../x\n", Options{}},
		{"image-upper", "services:\n  a:\n    image: Nginx\n", Options{}},
		{"service-key", "services:\n  ../a:\n    image: x\n", Options{}},
		{"secret-config-keys", "services:\n  a:\n    image: x\nsecrets:\n  ../s: {file: ./s}\nconfigs:\n  c/d: {content: x}\n", Options{}},
		{"project-flag", "services:\n  a:\n    image: x\n", Options{ProjectName: "../p"}},
		{"project-env", "services:\n  a:\n    image: x\n", Options{Environ: map[string]string{"COMPOSE_PROJECT_NAME": ".."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": tt.yaml})
			opts := tt.opts
			opts.WorkingDir = dir
			_, err := Load(context.Background(), opts)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Load(%q) = %v, want ErrInvalid", tt.yaml, err)
			}
			got := strings.ReplaceAll(err.Error(), dir+"/", "") + "\n"
			file := filepath.Join("testdata", "names", tt.name+".err")
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("Load(%q) error =\n%s\nwant\n%s", tt.yaml, got, want)
			}
		})
	}
}

// TestLoadNamesValid keeps the names Docker accepts loading.
func TestLoadNamesValid(t *testing.T) {
	yaml := "services:\n  web.1:\n    image: localhost:5000/team/app_x:1.0\n    container_name: My.Web-1\n    volumes: [data.v:/d, ext:/e]\n    networks: [n]\n" +
		"  b:\n    image: redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n" +
		"volumes:\n  data.v: {}\n  ext: {external: true, name: Old_Vol.2}\nnetworks:\n  n: {name: front-net}\n"
	dir := writeFiles(t, map[string]string{"compose.yaml": yaml})
	if _, err := Load(context.Background(), Options{WorkingDir: dir}); err != nil {
		t.Errorf("Load(%q) = %v, want success", yaml, err)
	}
}

func TestCheckNameHelpers(t *testing.T) {
	for _, n := range []string{"", ".", "..", "a", "../x", "a/b", "-a", ".a", "a\x00b", "a b"} {
		if err := CheckName("volume", n); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckName(volume, %q) = %v, want ErrInvalid", n, err)
		}
	}
	for _, n := range []string{"ab", "a.", "a..b", "A_b-c.d", "p_default"} {
		if err := CheckName("volume", n); err != nil {
			t.Errorf("CheckName(volume, %q) = %v, want nil", n, err)
		}
	}
	for _, n := range []string{"", "..", "a/b", "Abc", "_a", "a.b"} {
		if err := CheckProjectName(n); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckProjectName(%q) = %v, want ErrInvalid", n, err)
		}
	}
	for _, r := range []string{"../x", "Nginx", "a//b", "", "x:tag:tag"} {
		if err := CheckImage(r); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckImage(%q) = %v, want ErrInvalid", r, err)
		}
	}
}
