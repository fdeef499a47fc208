package main

import (
	"bytes"
	"io"
	"testing"
)

func TestFormatRows(t *testing.T) {
	rows := []volumeRow{{Driver: "local", Name: "p_data", Labels: "a=b"}, {Driver: "local", Name: "x"}}
	table := func(w io.Writer) error { _, err := io.WriteString(w, "TABLE\n"); return err }
	headers := map[string]string{"Name": "VOLUME NAME", "Driver": "DRIVER"}
	tests := []struct {
		format, want string
	}{
		{"", "TABLE\n"},
		{"table", "TABLE\n"},
		{"{{.Name}}", "p_data\nx\n"},
		{`{{.Name}}\t{{upper .Driver}}`, "p_data\tLOCAL\nx\tLOCAL\n"},
		{`table {{.Name}}\t{{.Driver}}`, "VOLUME NAME   DRIVER\np_data        local\nx             local\n"},
		{"{{json .Labels}}", "\"a=b\"\n\"\"\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if err := formatRows(&out, tt.format, rows, table, headers); err != nil {
			t.Errorf("formatRows(%q) = %v", tt.format, err)
			continue
		}
		if out.String() != tt.want {
			t.Errorf("formatRows(%q) = %q, want %q", tt.format, out.String(), tt.want)
		}
	}
	for _, bad := range []string{"{{.Nope}}", "{{"} {
		if err := formatRows(&bytes.Buffer{}, bad, rows, table, headers); err == nil {
			t.Errorf("formatRows(%q) = nil, want an error", bad)
		}
	}
}
