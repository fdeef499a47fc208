package project

import (
	"strings"
	"testing"
)

func TestHookExitError(t *testing.T) {
	many := ""
	for i := range 12 {
		many += strings.Repeat("x", i) + "line\n"
	}
	tests := []struct {
		name, stdout, stderr, want string
	}{
		{"silent", "", "", "web hook exited with status 3"},
		{"stderr first", "out\n", "err\n", "web hook exited with status 3: err"},
		{"stdout when stderr is blank", "out\n\n", " \n", "web hook exited with status 3: out"},
		{"carriage returns keep the last segment", "", "10%\r50%\r100%\r\n", "web hook exited with status 3: 100%"},
		{"last ten lines", many, "", "web hook exited with status 3: " +
			strings.Join(strings.Split(strings.TrimSpace(many), "\n")[2:], "\n")},
		{"at most 2048 bytes", "", strings.Repeat("y", 3000), "web hook exited with status 3: " + strings.Repeat("y", 2048)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hookExitError("web", 3, tt.stdout, tt.stderr).Error(); got != tt.want {
				t.Errorf("hookExitError = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLastBytes(t *testing.T) {
	var b lastBytes
	b.Write([]byte(strings.Repeat("a", lastBytesMax)))
	b.Write([]byte("tail"))
	if got := b.String(); len(got) != lastBytesMax || !strings.HasSuffix(got, "atail") {
		t.Errorf("lastBytes kept %d bytes ending %q, want %d ending with the last write", len(got), got[len(got)-5:], lastBytesMax)
	}
}
