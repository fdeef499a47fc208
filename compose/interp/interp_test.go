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

// TestRequiredMessage: the error of ${X:?msg} is Compose's text, with no dangling
// ": " when there is no message.
func TestRequiredMessage(t *testing.T) {
	lookup := func(string) (string, bool) { return "", false }
	for in, want := range map[string]string{
		"${X:?}":            "required variable X is missing a value: " + ErrInvalid.Error(),
		"${X?}":             "required variable X is missing a value: " + ErrInvalid.Error(),
		"${X:?must be set}": "required variable X is missing a value: must be set: " + ErrInvalid.Error(),
	} {
		if _, err := Substitute(in, lookup); err == nil || err.Error() != want {
			t.Errorf("Substitute(%q) error = %v, want %q", in, err, want)
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
