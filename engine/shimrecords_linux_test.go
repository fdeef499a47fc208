package engine

import (
	"errors"
	"strconv"
	"testing"

	"github.com/berth-dev/berth/engine/shimproto"
)

func TestShimRecords(t *testing.T) {
	var rec shimRecords
	rec.version()
	rec.add(shimproto.Cwd, "/srv")
	rec.flag(shimproto.TTY, true)
	rec.flag(shimproto.NNP, false)
	rec.command([]string{"sh", "-c", "a=b"}, []string{"X=1"})
	want := "proto=" + strconv.Itoa(shimproto.Version) + "\x00cwd=/srv\x00tty=1\x00arg=sh\x00arg=-c\x00arg=a=b\x00env=X=1\x00"
	if got := rec.b.String(); got != want {
		t.Errorf("records = %q, want %q", got, want)
	}
}

func TestReportFailure(t *testing.T) {
	tests := []struct {
		line string
		want error
		text string
	}{
		{"error exec exec \"/x\": permission denied\n", ErrShimExec, `exec "/x": permission denied`},
		{"error proto shim protocol: expected the configuration record proto=, not pre=\n", ErrShimProtocol, ""},
		{"net2\n", ErrShimProtocol, ""}, // a report of another protocol
	}
	for _, tt := range tests {
		err := reportFailure(tt.line)
		if !errors.Is(err, tt.want) || (tt.text != "" && err.Error() != tt.text) {
			t.Errorf("reportFailure(%q) = %v, want errors.Is %v, text %q", tt.line, err, tt.want, tt.text)
		}
	}
}
