package project

import (
	"bytes"
	"fmt"
	"testing"
)

func TestProgressOnce(t *testing.T) {
	var b bytes.Buffer
	w := ProgressOnce(&b)
	for _, l := range []string{
		" Container kv  Started\n",
		" Container kv  Waiting\n", " Container kv  Waiting\n",
		" Container kv  Healthy\n", " Container kv  Healthy\n",
		" Container web  Started\n", " Container kv  Waiting\n",
		" Container web  Waiting\n", " Container kv  Healthy\n", " Container web  Healthy\n",
		" Container kv  Stopping\n", " Container kv  Stopping\n",
	} {
		fmt.Fprint(w, l)
	}
	w.Write([]byte(" Container db  Wait"))
	w.Write([]byte("ing\n Container db  Waiting\n"))
	want := " Container kv  Started\n Container kv  Waiting\n Container kv  Healthy\n Container web  Started\n" +
		" Container web  Waiting\n Container web  Healthy\n Container kv  Stopping\n Container kv  Stopping\n Container db  Waiting\n"
	if b.String() != want {
		t.Errorf("ProgressOnce output = %q, want %q", b.String(), want)
	}
}
