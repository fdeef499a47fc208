package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// loopbackRegistry runs Debian's docker-registry on a free loopback port (stopped at
// the end of the test) and returns its host:port.
func loopbackRegistry(t *testing.T) string {
	t.Helper()
	const bin = "/usr/bin/docker-registry"
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("skipping: %s not installed (apt-get install docker-registry)", bin)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yml")
	content := fmt.Sprintf("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), addr)
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if !eventually(10*time.Second, func() bool {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}) {
		t.Fatalf("registry on %s did not answer", addr)
	}
	return addr
}

// TestConfigResolveImageDigests: config --resolve-image-digests pins each image to
// the digest its registry serves, in compose-go's full form, and fails when the
// registry does not have it.
func TestConfigResolveImageDigests(t *testing.T) {
	addr := loopbackRegistry(t)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(addr + "/app:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	yaml := fmt.Sprintf("services:\n  app: {image: %s/app:1}\n  pinned: {image: \"busybox@%s\"}\n", addr, digest)
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		root := newRootCommand()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(append([]string{"-f", file, "config"}, args...))
		err := root.Execute()
		return out.String(), err
	}
	out, err := run("--resolve-image-digests", "--images")
	want := fmt.Sprintf("%s/app:1@%s\ndocker.io/library/busybox@%s\n", addr, digest, digest)
	if err != nil || out != want {
		t.Errorf("config --resolve-image-digests --images = %q, %v; want %q", out, err, want)
	}
	if out, _ := run("--images"); !strings.HasPrefix(out, addr+"/app:1\n") {
		t.Errorf("config --images without the flag = %q: pinned anyway", out)
	}
	if err := os.WriteFile(file, []byte(fmt.Sprintf("services:\n  app: {image: %s/nosuch:1}\n", addr)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run("--resolve-image-digests"); err == nil || !strings.Contains(err.Error(), "services.app.image") {
		t.Errorf("config --resolve-image-digests of a missing image = %v, want an error naming services.app.image", err)
	}
}
