package dockerfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testLookup(name string) (string, bool) {
	v, ok := map[string]string{"A": "a", "E": "", "S": "x y", "N": "1"}[name]
	return v, ok
}

func TestExpandWord(t *testing.T) {
	tests := []struct {
		in, want string
		escape   rune
	}{
		{`$A`, "a", '\\'},
		{`${A}b`, "ab", '\\'},
		{`$Ab`, "", '\\'},
		{`${E:-d}|${E-d}|${U:-d}|${U-d}`, "d||d|d", '\\'},
		{`${A:+p}|${E:+p}|${E+p}|${U+p}`, "p||p|", '\\'},
		{`${U:-${A}-$N}`, "a-1", '\\'},
		{`'$A'`, "$A", '\\'},
		{`"$A \$A \\ \x"`, `a $A \ \x`, '\\'},
		{`\$A`, "$A", '\\'},
		{"`$A", "$A", '`'},
		{`\$A`, `\a`, '`'},
		{`$ $1 $-`, "$ $1 $-", '\\'},
		{`a\ b`, "a b", '\\'},
		{`${U:-a b}`, "a b", '\\'},
	}
	for _, tt := range tests {
		got, err := expandWord(tt.in, tt.escape, testLookup)
		if err != nil || got != tt.want {
			t.Errorf("expandWord(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestExpandWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`a b  c`, []string{"a", "b", "c"}},
		{`$S "$S" '$S'`, []string{"x", "y", "x y", "$S"}},
		{`"" a`, []string{"", "a"}},
		{`pre$S`, []string{"prex", "y"}},
		{`$U a`, []string{"a"}},
	}
	for _, tt := range tests {
		got, err := expandWords(tt.in, '\\', testLookup)
		if err != nil {
			t.Errorf("expandWords(%q) = %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("expandWords(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestExpandErrors(t *testing.T) {
	for _, in := range []string{`${A`, `${`, `${}`, `${A:-x`, `'open`, `"open`, `${U:?boom}`, `${E:?}`, `${A%x}`} {
		if got, err := expandWord(in, '\\', testLookup); err == nil {
			t.Errorf("expandWord(%q) = %q, nil, want an error", in, got)
		}
	}
}

func TestParseErrorKinds(t *testing.T) {
	tests := []struct {
		src  string
		kind error
		line int
	}{
		{"FROM a\nONBUILD RUN x", ErrUnsupported, 2},
		{"FROM a\n\nRUN <<EOF\nx\nEOF", ErrUnsupported, 3},
		{"FROM a\nCOPY --parents a b", ErrUnsupported, 2},
		{"FROM a\nBOGUS x", ErrInvalid, 2},
		{"FROM a\nRUN a \\\n b\nWORKDIR", ErrInvalid, 4},
		{"", ErrInvalid, 0},
	}
	for _, tt := range tests {
		_, err := Parse(strings.NewReader(tt.src), Options{Filename: "app.Dockerfile"})
		var perr *Error
		if !errors.Is(err, tt.kind) || !errors.As(err, &perr) || perr.Line != tt.line || perr.File != "app.Dockerfile" {
			t.Errorf("Parse(%q) = %v, want %v at app.Dockerfile line %d", tt.src, err, tt.kind, tt.line)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	src := strings.Repeat("FROM golang:1.22\nARG V=1\nENV A=$V B=\"x y\"\nCOPY --chown=1:1 *.go /src/\nRUN go build \\\n  -o /out ./...\nFROM scratch\nCOPY --from=0 /out /app\nCMD [\"/app\"]\n", 10)
	for b.Loop() {
		if _, err := Parse(strings.NewReader(src), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHeredocDetection(t *testing.T) {
	tests := []struct {
		src     string
		heredoc bool
	}{
		{"RUN <<EOF", true},
		{"RUN <<-EOT", true},
		{`RUN python3 <<"PY"`, true},
		{"RUN cat <<< word", false},
		{"RUN echo $((1<<2))", false},
		{"RUN echo a", false},
	}
	for _, tt := range tests {
		_, err := Parse(strings.NewReader("FROM a\n"+tt.src+"\nx\nEOF\n"), Options{})
		got := err != nil && strings.Contains(err.Error(), "heredocs are not supported")
		if got != tt.heredoc {
			t.Errorf("Parse(%q) = %v, want heredoc error %v", tt.src, err, tt.heredoc)
		}
	}
}
