package interp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVariables(t *testing.T) {
	tests := []struct {
		in   string
		want []Variable
	}{
		{"plain", nil},
		{"$$HOME and $${NOT}", nil},
		{"$A-x ${B}", []Variable{{Name: "A"}, {Name: "B"}}},
		{"${A:-d}${B-e}", []Variable{{Name: "A", DefaultValue: "d"}, {Name: "B", DefaultValue: "e"}}},
		{"${A:+alt}${B+x}", []Variable{{Name: "A", AlternateValue: "alt"}, {Name: "B", AlternateValue: "x"}}},
		{"${A:?msg} ${B?m}", []Variable{{Name: "A", Required: true}, {Name: "B", Required: true}}},
		{"${A:-${B:-${C}}}", []Variable{{Name: "A", DefaultValue: "${B:-${C}}"}, {Name: "B", DefaultValue: "${C}"}, {Name: "C"}}},
		{"${unclosed", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Variables(tt.in); !cmp.Equal(got, tt.want) {
				t.Errorf("Variables(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}
