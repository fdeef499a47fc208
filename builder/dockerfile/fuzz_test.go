package dockerfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and always ends in a result with
// at least one stage, or a positioned *Error.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/Dockerfile")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(string(data))
		}
	}
	f.Add("FROM a\nRUN x \\\n# c\n y")
	f.Add("# escape=`\nFROM a\nENV A=${B:-${C:+x}} `\n  D=\"$A\"")
	f.Fuzz(func(t *testing.T, src string) {
		df, err := Parse(strings.NewReader(src), Options{BuildArgs: map[string]string{"A": "1"}})
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q) error %v is not a *Error", src, err)
			}
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Parse(%q) error %v has no kind", src, err)
			}
			return
		}
		if len(df.Stages) == 0 {
			t.Fatalf("Parse(%q) returned no stages and no error", src)
		}
		st, err := df.Target("")
		if err != nil {
			t.Fatalf("Target(\"\") = %v", err)
		}
		df.Needed(st)
	})
}
