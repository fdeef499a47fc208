package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/berth-dev/berth/project"
)

func TestPrintEvent(t *testing.T) {
	ev := project.Event{Time: time.Date(2026, 12, 4, 13, 4, 5, 123456789, time.UTC), Service: "web", Container: "abc",
		Action: "die", Attributes: map[string]string{"name": "p-web-1", "image": "busybox", "exitCode": "0"}}
	tests := []struct {
		asJSON bool
		ev     project.Event
		want   string
	}{
		{false, ev, "2026-12-04 13:04:05.123456 container die abc (exitCode=0, image=busybox, name=p-web-1)\n\n"},
		{true, ev, `{"action":"die","attributes":{"exitCode":"0","image":"busybox","name":"p-web-1"},"id":"abc","service":"web","time":"2026-12-04T13:04:05.123456789Z","type":"container"}` + "\n"},
		{true, project.Event{Time: ev.Time, Action: "start"}, `{"action":"start","attributes":{},"id":"","service":"","time":"2026-12-04T13:04:05.123456789Z","type":"container"}` + "\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := printEvent(&b, tt.ev, tt.asJSON); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("printEvent(json=%v) = %q, want %q", tt.asJSON, b.String(), tt.want)
		}
	}
}

func TestParseEventTime(t *testing.T) {
	now := time.Date(2026, 12, 4, 13, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"10m", now.Add(-10 * time.Minute)},
		{"1700000000", time.Unix(1700000000, 0)},
		{"1700000000.5", time.Unix(1700000000, 500000000)},
		{"2026-12-04T12:00:00Z", time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)},
		{"2026-12-04T12:00:00+01:00", time.Date(2026, 12, 4, 11, 0, 0, 0, time.UTC)},
		{"2026-12-04T12:00:00", time.Date(2026, 12, 4, 12, 0, 0, 0, time.Local)},
		{"2026-12-04", time.Date(2026, 12, 4, 0, 0, 0, 0, time.Local)},
	}
	for _, tt := range tests {
		got, err := parseEventTime(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseEventTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseEventTime("yesterday", now); err == nil || err.Error() != `failed to parse value as time or duration: "yesterday"` {
		t.Errorf("parseEventTime(yesterday) = %v, want Docker's error", err)
	}
}
