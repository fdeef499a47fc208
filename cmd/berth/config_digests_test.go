package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestConfigResolveImageDigests: config --resolve-image-digests pins each image to
// the digest its registry serves, in compose-go's full form, and fails when the
// registry does not have it.
func TestConfigResolveImageDigests(t *testing.T) {
	addr := testenv.StartRegistry(t, "", "")
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
