package engine

import (
	"errors"
	"io"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/testenv"
)

func TestAttachStdin(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	tests := []struct {
		name  string
		spec  Spec
		input string
		want  string
	}{
		{"pipe until EOF", Spec{Cmd: []string{"sh", "-c", "cat; echo end"}}, "hi\n", "hi\nend\n"},
		{"tty", Spec{Tty: true, Cmd: []string{"sh", "-c", "read l; stty size; echo got $l"}}, "x\n", "x\r\n40 100\r\ngot x\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.ID, tt.spec.LayerDirs, tt.spec.OpenStdin = "c"+randSuffix(), []string{bb}, true
			if err := e.Create(tt.spec); err != nil {
				t.Fatalf("Create: %v", err)
			}
			if err := e.Start(tt.spec.ID); err != nil {
				t.Fatalf("Start: %v", err)
			}
			f, err := e.AttachStdin(tt.spec.ID)
			if err != nil {
				t.Fatalf("AttachStdin: %v", err)
			}
			if _, err := e.AttachStdin(tt.spec.ID); !errors.Is(err, ErrInvalid) {
				t.Errorf("second AttachStdin = %v, want ErrInvalid", err)
			}
			if tt.spec.Tty {
				if err := unix.IoctlSetWinsize(int(f.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 100}); err != nil {
					t.Fatalf("set window size: %v", err)
				}
			}
			io.WriteString(f, tt.input)
			f.Close()
			es, err := e.Wait(tt.spec.ID)
			if got := logText(t, e, tt.spec.ID); err != nil || es.ExitCode != 0 || got != tt.want {
				t.Errorf("container with stdin %q = %q, exit %+v, %v; want %q, exit 0", tt.input, got, es, err, tt.want)
			}
		})
	}
	// Without OpenStdin there is nothing to attach.
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{bb}, Cmd: []string{"sleep", "10"}}
	startContainer(t, e, spec)
	if _, err := e.AttachStdin(spec.ID); !errors.Is(err, ErrInvalid) {
		t.Errorf("AttachStdin without OpenStdin = %v, want ErrInvalid", err)
	}
}
