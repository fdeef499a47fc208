package engine

import (
	"bytes"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

func TestExec(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "ex" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sleep", "60"},
		Env: []string{"FOO=bar"}, WorkingDir: "/tmp", Hostname: "box"}
	startContainer(t, e, spec)
	tests := []struct {
		name     string
		es       ExecSpec
		want     string
		wantCode int
	}{
		{"env cwd hostname", ExecSpec{Cmd: []string{"sh", "-c", "echo $FOO $BAZ $(pwd) $(hostname)"}, Env: []string{"BAZ=q"}}, "bar q /tmp box\n", 0},
		{"pid namespace", ExecSpec{Cmd: []string{"cat", "/proc/1/cmdline"}}, "sleep\x0060\x00", 0},
		{"user", ExecSpec{Cmd: []string{"id", "-u"}, User: "app"}, "1000\n", 0},
		{"caps", ExecSpec{Cmd: []string{"grep", "CapEff", "/proc/self/status"}}, "CapEff:\t00000000a80425fb\n", 0},
		{"exit code", ExecSpec{Cmd: []string{"sh", "-c", "exit 5"}}, "", 5},
		{"stdin", ExecSpec{Cmd: []string{"cat"}, Stdin: strings.NewReader("in\n")}, "in\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.es.Stdout, tt.es.Stderr = &out, &out
			code, err := e.Exec(spec.ID, tt.es)
			if err != nil || code != tt.wantCode || out.String() != tt.want {
				t.Errorf("Exec(%v) = %d, %v, output %q; want %d, %q", tt.es.Cmd, code, err, out.String(), tt.wantCode, tt.want)
			}
		})
	}
	_, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"nope"}})
	if want := `exec: "nope": executable file not found in $PATH`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Exec(nope) = %v, want %q", err, want)
	}
	if _, err := e.Stop(spec.ID, syscall.SIGKILL, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"true"}}); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Exec(stopped) = %v, want ErrNotRunning", err)
	}
}

// BenchmarkExecTrue times Exec of `true` in a running container; run it as
// BenchmarkRunTrue's comment shows.
func BenchmarkExecTrue(b *testing.B) { benchExecTrue(b, "") }

// BenchmarkExecTrueUnconfined is BenchmarkExecTrue without a seccomp filter.
func BenchmarkExecTrueUnconfined(b *testing.B) { benchExecTrue(b, SeccompUnconfined) }

func benchExecTrue(b *testing.B, seccomp string) {
	testenv.RequiresRoot(b)
	e := newEngine(b)
	spec := Spec{ID: "exb", LayerDirs: []string{busyboxLayer(b)}, Cmd: []string{"sleep", "60"}, Seccomp: seccomp}
	startContainer(b, e, spec)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code, err := e.Exec(spec.ID, ExecSpec{Cmd: []string{"true"}}); err != nil || code != 0 {
			b.Fatalf("Exec = %d, %v", code, err)
		}
	}
}
