package spec

import (
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

func TestLogForward(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "log.sock")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("BERTH_JOURNAL_SOCKET", sock)
	id := strings.Repeat("ab", 32)
	c := &state.ContainerState{ID: id, Name: "p-web-1", Image: "nginx",
		Labels: map[string]string{"com.example.team": "db", state.LabelImage: "sha256:0123456789abcdef"}}
	tests := []struct {
		name    string
		logging compose.LoggingConfig
		want    *engine.LogForward
		wantErr string
	}{
		{"json-file", compose.LoggingConfig{Driver: "json-file"}, nil, ""},
		{"syslog unixgram", compose.LoggingConfig{Driver: "syslog", Options: compose.DriverOptions{
			"syslog-address": "unixgram://" + sock, "tag": "{{.Name}}|{{.ImageName}}|{{.ImageID}}|{{.FullID}}"}},
			&engine.LogForward{Driver: "syslog", Network: "unixgram", Address: sock, Facility: 3,
				Tag: "p-web-1|nginx|0123456789ab|" + id}, ""},
		{"syslog udp default port", compose.LoggingConfig{Driver: "syslog", Options: compose.DriverOptions{
			"syslog-address": "udp://127.0.0.1", "syslog-facility": "local7", "syslog-format": "rfc3164"}},
			&engine.LogForward{Driver: "syslog", Network: "udp", Address: "127.0.0.1:514", Facility: 23,
				Format: "rfc3164", Tag: id[:12]}, ""},
		{"syslog numeric facility", compose.LoggingConfig{Driver: "syslog", Options: compose.DriverOptions{
			"syslog-address": "tcp://[::1]:601", "syslog-facility": "5"}},
			&engine.LogForward{Driver: "syslog", Network: "tcp", Address: "[::1]:601", Facility: 5, Tag: id[:12]}, ""},
		{"journald", compose.LoggingConfig{Driver: "journald", Options: compose.DriverOptions{"labels": "com.example.team", "tag": "t"}},
			&engine.LogForward{Driver: "journald", Network: "unixgram", Address: sock, Fields: []string{
				"CONTAINER_ID=" + id[:12], "CONTAINER_ID_FULL=" + id, "CONTAINER_NAME=p-web-1", "CONTAINER_TAG=t",
				"IMAGE_NAME=nginx", "SYSLOG_IDENTIFIER=t", "COM_EXAMPLE_TEAM=db"}}, ""},
		{"bad facility", compose.LoggingConfig{Driver: "syslog", Options: compose.DriverOptions{"syslog-facility": "24"}}, nil, "invalid syslog facility"},
		{"bad format", compose.LoggingConfig{Driver: "syslog", Options: compose.DriverOptions{"syslog-format": "json"}}, nil, "syslog-format"},
		{"tls", compose.LoggingConfig{Driver: "syslog", Options: compose.DriverOptions{"syslog-address": "tcp+tls://127.0.0.1"}}, nil, "TLS"},
		{"missing socket", compose.LoggingConfig{Driver: "syslog", Options: compose.DriverOptions{"syslog-address": "unix:///nonexistent"}}, nil, "no such file"},
		{"bad tag", compose.LoggingConfig{Driver: "syslog", Options: compose.DriverOptions{"tag": "{{.Nope}}"}}, nil, "log tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := logForward(compose.ServiceConfig{Logging: &tt.logging}, c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("logForward = %v, %v, want an error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != nil {
				got.Hostname = ""
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("logForward =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestJournalKey(t *testing.T) {
	for in, want := range map[string]string{"com.example.team": "COM_EXAMPLE_TEAM", "_x-y": "X_Y", "ok_1": "OK_1"} {
		if got := journalKey(in); got != want {
			t.Errorf("journalKey(%q) = %q, want %q", in, got, want)
		}
	}
}
