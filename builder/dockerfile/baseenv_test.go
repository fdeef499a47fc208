package dockerfile

import (
	"strings"
	"testing"
)

// TestBaseEnvExpansion: variables expand with the base image's ENV (Options.BaseEnv),
// scratch and an image without PATH start with Docker's default PATH (BuildKit's
// rule), and a stage's own ENV and ARG come on top.
func TestBaseEnvExpansion(t *testing.T) {
	base := map[string][]string{"debian:bookworm": {"PATH=/usr/bin:/bin", "FOO=srv"}, "imported": {"FOO=imp"}}
	tests := []struct {
		name, src string
		want      []string // ENV values, then WORKDIR, of the last stage
	}{
		{"image PATH", "FROM debian:bookworm\nENV PATH=$PATH:/usr/lib/pg/bin\nWORKDIR /srv/$FOO\n",
			[]string{"/usr/bin:/bin:/usr/lib/pg/bin", "/srv/srv"}},
		{"scratch default PATH", "FROM scratch\nENV PATH=$PATH:/x\nWORKDIR /w$FOO\n",
			[]string{DefaultPath + ":/x", "/w"}},
		{"stage ENV overrides image", "FROM debian:bookworm\nENV FOO=own\nENV A=$FOO\nWORKDIR /$FOO\n",
			[]string{"own", "own", "/own"}},
		{"later stage inherits", "FROM debian:bookworm AS a\nFROM a\nENV P=${PATH}\nWORKDIR /$FOO\n",
			[]string{"/usr/bin:/bin", "/srv"}},
		{"image without PATH gets the default", "FROM imported\nENV PATH=$PATH:/usr/lib/pg/bin\nWORKDIR /$FOO\n",
			[]string{DefaultPath + ":/usr/lib/pg/bin", "/imp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			df, err := Parse(strings.NewReader(tt.src), Options{BaseEnv: base})
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			var got []string
			st := df.Stages[len(df.Stages)-1]
			for _, in := range st.Instructions {
				switch in.Cmd {
				case "env":
					for _, kv := range in.KeyValues {
						got = append(got, kv.Value)
					}
				case "workdir":
					got = append(got, in.Value)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Parse(%q) values = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}
