package project

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseDetachKeys(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
		err  bool
	}{
		{"", []byte{16, 17}, false},
		{"ctrl-p,ctrl-q", []byte{16, 17}, false},
		{"ctrl-@,ctrl-a,ctrl-z,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", []byte{0, 1, 26, 27, 28, 29, 30, 31}, false},
		{"a,b,ctrl-x", []byte{'a', 'b', 24}, false},
		{"ctrl-1,x", []byte{'x'}, false}, // skipped, as Docker
		{"ctrl-p,abc", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseDetachKeys(tt.in)
		if tt.err {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseDetachKeys(%q) = %v, %v; want ErrInvalid", tt.in, got, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("ParseDetachKeys(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestEscapeWriter(t *testing.T) {
	keys := []byte{16, 17}
	tests := []struct {
		writes   []string
		want     string
		detached bool
	}{
		{[]string{"hello"}, "hello", false},
		{[]string{"a\x10b"}, "a\x10b", false},       // a prefix that is not the sequence passes
		{[]string{"a\x10", "b"}, "a\x10b", false},   // ... also across writes
		{[]string{"a\x10\x10\x11"}, "a\x10", true},  // the first key again starts anew
		{[]string{"ab\x10", "\x11cd"}, "ab", true},  // split across writes
		{[]string{"x\x10\x11", "after"}, "x", true}, // nothing after it
		{[]string{"\x10\x11"}, "", true},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		e := newEscapeWriter(&out, keys)
		for _, w := range tt.writes {
			e.Write([]byte(w))
		}
		detached := false
		select {
		case <-e.detached:
			detached = true
		default:
		}
		if out.String() != tt.want || detached != tt.detached {
			t.Errorf("writes %q: passed %q, detached %v; want %q, %v", tt.writes, out.String(), detached, tt.want, tt.detached)
		}
	}
}
