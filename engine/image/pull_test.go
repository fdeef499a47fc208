package image

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func randomImage(t *testing.T, layers int64) v1.Image {
	t.Helper()
	img, err := random.Image(1024, layers)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{Env: []string{"A=1"}, Cmd: []string{"/bin/true"}, WorkingDir: "/srv"})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestPullTwiceDownloadsNoLayer(t *testing.T) {
	reg := startRegistry(t, "", "")
	addr, blobs := countingProxy(t, reg)
	img := randomImage(t, 3)
	push(t, addr+"/berth/app:1", img)
	s := openStore(t)
	ctx := context.Background()

	got, err := s.Pull(ctx, addr+"/berth/app:1", PullOptions{Insecure: true})
	if err != nil {
		t.Fatalf("Pull() = %v", err)
	}
	want, _ := img.ConfigName()
	if got.ID != want.String() {
		t.Errorf("Pull().ID = %s, want %s", got.ID, want)
	}
	if got.Config.Config.WorkingDir != "/srv" || len(got.Config.Config.Env) != 1 {
		t.Errorf("Pull().Config.Config = %+v, want WorkingDir /srv and Env A=1", got.Config.Config)
	}
	dirs, err := s.LayerDirs(got)
	if err != nil || len(dirs) != 3 {
		t.Fatalf("LayerDirs() = %v, %v, want 3 dirs", dirs, err)
	}
	first := blobs.Load()
	if first < 3 {
		t.Errorf("first pull fetched %d blobs, want at least 3 layers", first)
	}
	// Another tag of the same image: only the config may be fetched again.
	push(t, addr+"/berth/app:2", img)
	blobs.Store(0)
	var progress strings.Builder
	if _, err := s.Pull(ctx, addr+"/berth/app:2", PullOptions{Insecure: true, Progress: &progress}); err != nil {
		t.Fatalf("second Pull() = %v", err)
	}
	if n := strings.Count(progress.String(), ": already present\n"); n != 3 {
		t.Errorf("second pull progress = %q, want 3 \"already present\" lines", progress.String())
	}
	if n := blobs.Load(); n > 1 {
		t.Errorf("second pull fetched %d blobs, want at most 1 (config, no layer)", n)
	}
	if img, err := s.Get(addr + "/berth/app:2"); err != nil || len(img.RepoTags) != 2 {
		t.Errorf("Get(app:2) = %+v, %v, want an image with 2 tags", img, err)
	}
}

func TestPullMultiArch(t *testing.T) {
	reg := startRegistry(t, "", "")
	host := randomImage(t, 1)
	foreign := randomImage(t, 1)
	foreignPlat := v1.Platform{OS: "linux", Architecture: "s390x"}
	if HostPlatform().Architecture == "s390x" {
		foreignPlat.Architecture = "riscv64"
	}
	hp := HostPlatform()
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: foreign, Descriptor: v1.Descriptor{Platform: &foreignPlat}},
		mutate.IndexAddendum{Add: host, Descriptor: v1.Descriptor{Platform: &hp}},
	)
	push(t, reg+"/berth/multi:latest", idx)
	s := openStore(t)
	got, err := s.Pull(context.Background(), reg+"/berth/multi", PullOptions{Insecure: true})
	if err != nil {
		t.Fatalf("Pull(multi) = %v", err)
	}
	want, _ := host.ConfigName()
	if got.ID != want.String() {
		t.Errorf("Pull(multi).ID = %s, want host image %s", got.ID, want)
	}
	gotF, err := s.Pull(context.Background(), reg+"/berth/multi", PullOptions{Insecure: true, Platform: &foreignPlat})
	if err != nil {
		t.Fatalf("Pull(multi, %s) = %v", foreignPlat.String(), err)
	}
	wantF, _ := foreign.ConfigName()
	if gotF.ID != wantF.String() {
		t.Errorf("Pull(multi, foreign).ID = %s, want %s", gotF.ID, wantF)
	}
}

func TestPullAuth(t *testing.T) {
	reg := startRegistry(t, "berth", "s3cret")
	img := randomImage(t, 1)
	dockerConfig(t, reg, "berth", "s3cret")
	push(t, reg+"/berth/private:1", img, remote.WithAuthFromKeychain(authKeychain()))
	s := openStore(t)
	if _, err := s.Pull(context.Background(), reg+"/berth/private:1", PullOptions{Insecure: true}); err != nil {
		t.Fatalf("Pull(private) with credentials = %v", err)
	}
	dockerConfig(t, reg, "berth", "wrong")
	if _, err := s.Pull(context.Background(), reg+"/berth/private:1", PullOptions{Insecure: true}); err == nil {
		t.Errorf("Pull(private) with wrong credentials = nil, want an error")
	}
}

func TestGetRemove(t *testing.T) {
	reg := startRegistry(t, "", "")
	img := randomImage(t, 2)
	push(t, reg+"/berth/rm:1", img)
	s := openStore(t)
	ctx := context.Background()
	got, err := s.Pull(ctx, reg+"/berth/rm:1", PullOptions{Insecure: true})
	if err != nil {
		t.Fatalf("Pull() = %v", err)
	}
	dirs, _ := s.LayerDirs(got)
	inUse := func(id string) bool { return id == got.ID }
	if err := s.Remove(reg+"/berth/rm:1", false, inUse); !errors.Is(err, ErrInUse) {
		t.Errorf("Remove(in use) = %v, want ErrInUse", err)
	}
	if err := s.Remove(got.ID[:19], true, inUse); err != nil {
		t.Fatalf("Remove(force) = %v", err)
	}
	if _, err := s.Get(reg + "/berth/rm:1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(removed) = %v, want ErrNotFound", err)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("layer dir %s after Remove: %v, want not exist", d, err)
		}
	}
	if err := s.Remove("nope", false, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove(nope) = %v, want ErrNotFound", err)
	}
}

// TestConcurrentPull pulls one image through two Store values on one root at once,
// as two berth processes would.
func TestConcurrentPull(t *testing.T) {
	reg := startRegistry(t, "", "")
	push(t, reg+"/berth/par:1", randomImage(t, 4))
	root := filepath.Join(t.TempDir(), "images")
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func() {
			s, err := Open(root)
			if err == nil {
				_, err = s.Pull(context.Background(), reg+"/berth/par:1", PullOptions{Insecure: true})
			}
			errs <- err
		}()
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Pull() = %v", err)
		}
	}
	s, _ := Open(root)
	list, err := s.List()
	if err != nil || len(list) != 1 {
		t.Fatalf("List() = %v, %v, want 1 image", list, err)
	}
	if dirs, err := s.LayerDirs(list[0]); err != nil || len(dirs) != 4 {
		t.Errorf("LayerDirs() = %v, %v, want 4", dirs, err)
	}
	if tmp, _ := os.ReadDir(filepath.Join(root, "tmp")); len(tmp) != 0 {
		t.Errorf("tmp after concurrent pulls has %d entries, want 0", len(tmp))
	}
}
