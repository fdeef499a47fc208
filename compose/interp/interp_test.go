package interp

import (
	"errors"
	"slices"
	"testing"
)

func TestSubstitute(t *testing.T) {
	env := map[string]string{"FOO": "foo", "EMPTY": "", "BAR": "bar"}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"$FOO", "foo"},
		{"${FOO}x", "foox"},
		{"${UNSET}", ""},
		{"${UNSET:-def}", "def"},
		{"${EMPTY:-def}", "def"},
		{"${EMPTY-def}", ""},
		{"${UNSET-def}", "def"},
		{"${FOO:+alt}", "alt"},
		{"${EMPTY:+alt}", ""},
		{"${EMPTY+alt}", "alt"},
		{"${UNSET:-${BAR:-x}}", "bar"},
		{"${UNSET:-${NOPE:-in}ner}", "inner"},
		{"$$FOO", "$FOO"},
		{"a $ b", "a $ b"},
		{"${FOO:?must}", "foo"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Substitute(tt.in, lookup)
			if err != nil || got != tt.want {
				t.Errorf("Substitute(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"${UNSET:?need it}", "${EMPTY:?x}", "${UNSET?x}", "${FOO", "${}", "${FOO!x}"} {
		if _, err := Substitute(bad, lookup); !errors.Is(err, ErrInvalid) {
			t.Errorf("Substitute(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestSubstituteFuncUnset(t *testing.T) {
	env := map[string]string{"FOO": "foo", "EMPTY": ""}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	tests := []struct {
		in   string
		want []string // names reported unset, in order
	}{
		{"$FOO ${EMPTY}", nil},
		{"$i and ${J}", []string{"i", "J"}},
		{"${UNSET:-def} ${UNSET-def} ${UNSET:+alt} ${UNSET+alt}", nil},
		{"${UNSET:-$INNER}", []string{"INNER"}},
		{"${FOO:+$ALT}", []string{"ALT"}},
		{"$$i", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got []string
			if _, err := SubstituteFunc(tt.in, lookup, func(n string) { got = append(got, n) }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("unset names of %q = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
