package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"golang.org/x/sys/unix"
)

// TestMountSubpath binds a subpath of a volume dir, and refuses one that leads out of
// it by a symlink (at Start) or by ".." (at Create).
func TestMountSubpath(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	vol := t.TempDir()
	os.MkdirAll(filepath.Join(vol, "sub", "dir"), 0o755)
	os.WriteFile(filepath.Join(vol, "sub", "dir", "file"), []byte("inside\n"), 0o644)
	os.Symlink("/etc", filepath.Join(vol, "abs"))
	os.Symlink("../../..", filepath.Join(vol, "sub", "up"))
	out, es := run(t, e, Spec{LayerDirs: []string{bb}, Cmd: []string{"cat", "/mnt/file"},
		Mounts: []Mount{{Type: "bind", Source: vol, Target: "/mnt", Subpath: "sub/dir"}}})
	if out != "inside\n" || es.ExitCode != 0 {
		t.Errorf("cat of the subpath's file = %q, %+v; want inside", out, es)
	}
	for _, sub := range []string{"abs", "sub/up", "sub/up/etc"} {
		spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{bb}, Cmd: []string{"true"},
			Mounts: []Mount{{Type: "bind", Source: vol, Target: "/mnt", Subpath: sub}}}
		if err := e.Create(spec); err != nil {
			t.Fatal(err)
		}
		if err := e.Start(spec.ID); err == nil || !strings.Contains(err.Error(), "leads out") {
			t.Errorf("Start with subpath %q = %v, want an error: it leads out of the volume", sub, err)
		}
		e.Remove(spec.ID, true)
	}
	err := e.Create(Spec{ID: "c" + randSuffix(), LayerDirs: []string{bb}, Cmd: []string{"true"},
		Mounts: []Mount{{Type: "bind", Source: vol, Target: "/mnt", Subpath: "../x"}}})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("Create with subpath ../x = %v, want ErrInvalid", err)
	}
}

// TestMountImage mounts an image of two layers read-only (the upper layer's file
// over the lower's), and the etc subpath of a one-layer image.
func TestMountImage(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	top := t.TempDir()
	os.MkdirAll(filepath.Join(top, "etc"), 0o755)
	os.WriteFile(filepath.Join(top, "etc", "passwd"), []byte("top\n"), 0o644)
	script := "cat /img/etc/passwd; test -x /img/bin/busybox && echo lower; touch /img/x 2>/dev/null || echo ro; " +
		"head -1 /etc2/passwd; touch /etc2/x 2>/dev/null || echo ro"
	out, es := run(t, e, Spec{LayerDirs: []string{bb}, Cmd: []string{"sh", "-c", script},
		Mounts: []Mount{{Type: "image", Target: "/img", Image: &MountImage{Layers: []string{bb, top}}},
			{Type: "image", Target: "/etc2", Image: &MountImage{Layers: []string{bb}}, Subpath: "etc"}}})
	if want := "top\nlower\nro\nroot:x:0:0:root:/root:/bin/sh\nro\n"; out != want || es.ExitCode != 0 {
		t.Errorf("image mounts: %q, %+v; want %q", out, es, want)
	}
}

// TestMountPropagation: what the host mounts under a shared source after the start
// appears in the container's rslave mount of it, not in its default (rprivate) one.
func TestMountPropagation(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	src := t.TempDir()
	if err := unix.Mount(src, src, "", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(src, unix.MNT_DETACH) })
	if err := unix.Mount("", src, "", unix.MS_SHARED, ""); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(src, "sub"), 0o755)
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Cmd: []string{"sleep", "60"},
		Mounts: []Mount{{Type: "bind", Source: src, Target: "/slave", Propagation: "rslave"}, {Type: "bind", Source: src, Target: "/private"}}}
	startContainer(t, e, spec)
	sub := filepath.Join(src, "sub")
	if err := unix.Mount("tmpfs", sub, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(sub, unix.MNT_DETACH) })
	os.WriteFile(filepath.Join(sub, "marker"), nil, 0o644)
	st, err := e.State(spec.ID)
	if err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]bool{"slave": true, "private": false} {
		_, err := os.Stat(fmt.Sprintf("/proc/%d/root/%s/sub/marker", st.Pid, dir))
		if got := err == nil; got != want {
			t.Errorf("host's new mount seen in the container's /%s: %v, want %v", dir, got, want)
		}
	}
}

// TestMountPropagationRefused: as Docker, a shared bind needs a shared source mount,
// a slave one a shared or slave mount.
func TestMountPropagationRefused(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	bb := busyboxLayer(t)
	src := t.TempDir()
	if err := unix.Mount(src, src, "", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(src, unix.MNT_DETACH) })
	if err := unix.Mount("", src, "", unix.MS_PRIVATE, ""); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"rshared": "not a shared mount", "slave": "not a shared or slave mount"} {
		spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{bb}, Cmd: []string{"true"},
			Mounts: []Mount{{Type: "bind", Source: src, Target: "/mnt", Propagation: p}}}
		if err := e.Create(spec); err != nil {
			t.Fatal(err)
		}
		if err := e.Start(spec.ID); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Start with a %s bind of a private mount = %v, want %q", p, err, want)
		}
		e.Remove(spec.ID, true)
	}
}

func TestMountInfo(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mountinfo")
	os.WriteFile(path, []byte("27 1 254:0 / / rw - ext4 /dev/vda rw\n"+
		"30 27 0:5 / /a\\040b rw shared:7 - tmpfs tmpfs rw\n"+
		"31 30 0:6 / /a\\040b/c rw master:3 - tmpfs tmpfs rw\n"), 0o644)
	infos, err := readMountInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"/x": "/", "/a b": "/a b", "/a b/d": "/a b", "/a b/c/d": "/a b/c", "/a bc": "/"} {
		if got := mountOf(infos, p).point; got != want {
			t.Errorf("mountOf(%q) = %q, want %q", p, got, want)
		}
	}
	if at := mountOf(infos, "/a b/c"); !at.has("master:") || at.has("shared:") {
		t.Errorf("mountOf(/a b/c) = %+v, want master only", at)
	}
}
