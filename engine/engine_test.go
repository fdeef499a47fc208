package engine

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

func TestRunBasic(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	out, es := run(t, e, Spec{LayerDirs: []string{bb}, Cmd: []string{"sh", "-c", "echo hi; echo err >&2; exit 3"}})
	if out != "hi\nerr\n" && out != "err\nhi\n" {
		t.Errorf("log = %q, want hi and err", out)
	}
	if es.ExitCode != 3 {
		t.Errorf("exit = %+v, want 3", es)
	}
}

func TestGoBinaryLayer(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	out, es := run(t, e, Spec{LayerDirs: []string{busyboxLayer(t), goLayer(t)}, Entrypoint: []string{"/hello"}, Cmd: []string{"a", "b"}})
	if out != "hello [a b]\n" || es.ExitCode != 0 {
		t.Errorf("run /hello = %q, %+v; want %q, 0", out, es, "hello [a b]\n")
	}
}

func TestStartErrors(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"missing executable", Spec{Cmd: []string{"pg_ctl"}}, `exec: "pg_ctl": executable file not found in $PATH`},
		{"bad user", Spec{Cmd: []string{"true"}, User: "nobody"}, "unable to find user nobody"},
		{"bad group", Spec{Cmd: []string{"true"}, User: "app:nogroup"}, "unable to find group nogroup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.ID = "c" + randSuffix()
			tt.spec.LayerDirs = []string{bb}
			if err := e.Create(tt.spec); err != nil {
				t.Fatalf("Create: %v", err)
			}
			err := e.Start(tt.spec.ID)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start = %v, want error containing %q", err, tt.want)
			}
			if err := e.Remove(tt.spec.ID, false); err != nil {
				t.Errorf("Remove: %v", err)
			}
		})
	}
}
