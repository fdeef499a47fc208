package compose

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzLoad checks that any input ends in a model (whose warnings all carry a file and
// a path) or in errors that all carry a file and wrap ErrInvalid, and that the loader
// never panics.
func FuzzLoad(f *testing.F) {
	f.Add("services: {a: {image: x, ports: ['80:80'], depends_on: [b]}, b: {image: y}}")
	f.Add("x: &a {b: *a}")
	f.Add("services:\n  a:\n    extends: a\n")
	f.Add("services: {a: {image: ${X:-${Y:?e}}, volumes: ['./d:/d:ro'], networks: [n]}}\nnetworks: {n: {}}")
	f.Add("include: [compose.yaml]\nservices: {a: {image: x}}")
	f.Add("services: {a: {image: \"x:$T\", command: [\"$$i $i ${U-}\"], environment: {A: ${B}}}}")
	f.Add("services: {a: {image: x, healthcheck: {disable: '${X:-true}', retries: '${R:-3}'}, ulimits: {nofile: '${N:-9}'}, tty: 'yes'}}")
	f.Add("services: {a: {image: x, command: 'echo a && b; c | d', volumes: ['vol:/d:z,ro'], deploy: {resources: {reservations: {devices: [{count: all}]}}}}}\nvolumes: {vol: {external: '${E:-false}'}}")
	f.Add("services: {a: {image: x, models: [m], pull_refresh_after: 1h}, b: {provider: {type: t, options: {k: [1, 2]}}}}\nmodels: {m: {model: ai/x}}")
	f.Add("services: {a: {image: x, restart: 'on-failure:${N:-x}', tmpfs: ['/t:size=1m', r], ports: [{target: 80, published: '9-8', host_ip: '::1'}], logging: {options: {max-file: '2'}}}}\nsecrets: {s: {driver: d}}")
	f.Fuzz(func(t *testing.T, data string) {
		dir := t.TempDir()
		done := make(chan error, 1)
		var p *Project
		go func() {
			var err error
			p, err = Load(context.Background(), Options{Files: []string{"-"}, WorkingDir: dir, Stdin: strings.NewReader(data)})
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Load(%q) did not finish in 5s", data)
		}
		if err == nil {
			for _, w := range append(p.Warnings, p.RunWarnings()...) {
				if w.Pos.File == "" || w.Path == "" {
					t.Fatalf("Load(%q) warning %q has no file or path", data, w)
				}
			}
			return
		}
		var list ErrorList
		if !errors.As(err, &list) {
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrNotFound) {
				return
			}
			t.Fatalf("Load(%q) = %v (%T), want an ErrorList", data, err, err)
		}
		for _, e := range list {
			if e.Pos.File == "" {
				t.Fatalf("Load(%q) error %q has no file", data, fmt.Sprint(e))
			}
		}
	})
}

// TestAliasBomb keeps the input that hung the fuzzer: exponential alias expansion.
func TestAliasBomb(t *testing.T) {
	data, err := os.ReadFile("testdata/fuzz/alias-bomb.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Load(context.Background(), Options{Files: []string{"-"}, WorkingDir: t.TempDir(), Stdin: strings.NewReader(string(data))})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "too large") {
		t.Errorf("Load(alias bomb) = %v, want a too-large error", err)
	}
}

// FuzzParseDotEnv checks that the .env parser never panics or hangs, that every error is an
// *Error inside the input (line and column in range), and that a parsed file gives the same
// variables when parsed again after a comment line is put in front of it.
func FuzzParseDotEnv(f *testing.F) {
	for _, s := range []string{"A=1\nB='x\ny'\nC=\"a\\n${A}\"\n", "export K: v # c\nK\n", "A=\"open\n",
		"A=${B:-${C}}\\\n", "\ufeffA=\"x\" B=2 #c\r\n", "A='it\\'s'\"\n", "x$=\n", "A=\"\\0101\\$\"", "=v"} {
		f.Add(s)
	}
	env := func(n string) (string, bool) { return "env-" + n, n != "UNSET" }
	f.Add("services: {a: {image: x, restart: 'on-failure:${N:-x}', tmpfs: ['/t:size=1m', r], ports: [{target: 80, published: '9-8', host_ip: '::1'}], logging: {options: {max-file: '2'}}}}\nsecrets: {s: {driver: d}}")
	f.Fuzz(func(t *testing.T, data string) {
		got := map[string]string{}
		err := parseDotEnv("f.env", data, env, got)
		if err != nil {
			checkFuzzDotEnvError(t, data, err)
			return
		}
		again := map[string]string{}
		if err := parseDotEnv("f.env", "# c\n"+strings.TrimPrefix(data, "\ufeff"), env, again); err != nil {
			t.Fatalf("parseDotEnv(%q) ok, but with a comment line in front = %v", data, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(again) {
			t.Fatalf("parseDotEnv(%q) = %q, with a comment line in front = %q", data, got, again)
		}
	})
}

func checkFuzzDotEnvError(t *testing.T, data string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("parseDotEnv(%q) = %v (%T), want an *Error", data, err, err)
	}
	lines := strings.Split(strings.TrimPrefix(data, "\ufeff"), "\n")
	if e.Pos.File != "f.env" || e.Pos.Line < 1 || e.Pos.Line > len(lines) ||
		e.Pos.Column < 1 || e.Pos.Column > len(lines[e.Pos.Line-1])+1 {
		t.Fatalf("parseDotEnv(%q) = %v: position outside the input", data, err)
	}
}
