package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestE2EBuild(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	files := map[string]string{
		"app/Dockerfile": "FROM bte-busybox\nARG GREETING=hello\nCOPY msg.txt /msg.txt\nRUN echo \"$GREETING $(cat /msg.txt)\" > /out.txt\nCMD [\"cat\", \"/out.txt\"]\n",
		"app/msg.txt":    "world",
		"compose.yaml": `services:
  greeter:
    image: bte-greeter:1
    build:
      context: ./app
      args:
        GREETING: hi
      labels:
        org.example.built-by: berth
  other:
    build:
      context: ./app
      dockerfile_inline: |
        FROM bte-busybox
        CMD ["true"]
`,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "compose.yaml")
	_, errs, err := e.berth("-f", file, "build", "--build-arg", "GREETING=hey")
	if err != nil {
		t.Fatalf("berth build: %v\n%s", err, errs)
	}
	for _, want := range []string{"[stage-0 3/3] RUN echo", "naming to docker.io/library/bte-greeter:1 done", "naming to docker.io/library/" + e.project + "-other:latest done"} {
		if !strings.Contains(errs, want) {
			t.Errorf("build progress lacks %q:\n%s", want, errs)
		}
	}
	out, errs, err := e.berth("-f", file, "build", "-q", "greeter", "--build-arg", "GREETING=hey")
	if err != nil || out != "" || errs != "" {
		t.Errorf("berth build -q (cached) = %v, stdout %q, stderr %q; want silence", err, out, errs)
	}
	e.mustBerth("-f", file, "up", "-d", "greeter")
	e.waitLog(file, "hey world")
	e.mustBerth("-f", file, "down")
	_, errs, err = e.berth("-f", file, "build", "nosuch")
	if err == nil {
		t.Errorf("berth build nosuch = nil error, want one (stderr %q)", errs)
	}
}
