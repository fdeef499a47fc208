package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

type entry struct {
	name, link, body string
	typ              byte
	mode             int64
	xattrs           map[string]string
	major, minor     int64
}

func makeTar(t *testing.T, entries []entry) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: mode,
			Size: int64(len(e.body)), ModTime: time.Unix(1700000000, 0), Devmajor: e.major, Devminor: e.minor,
			Format: tar.FormatPAX}
		for k, v := range e.xattrs {
			if hdr.PAXRecords == nil {
				hdr.PAXRecords = map[string]string{}
			}
			hdr.PAXRecords["SCHILY.xattr."+k] = v
		}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil && e.typ == tar.TypeReg {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

func TestUnpackRegular(t *testing.T) {
	dir := t.TempDir()
	err := Unpack(dir, makeTar(t, []entry{
		{name: "etc/", typ: tar.TypeDir, mode: 0o755},
		{name: "etc/passwd", typ: tar.TypeReg, body: "root:x:0:0\n", mode: 0o640},
		{name: "bin/sh", typ: tar.TypeReg, body: "#!", mode: 0o4755},
		{name: "etc/link", typ: tar.TypeSymlink, link: "/etc/passwd"},
		{name: "etc/hard", typ: tar.TypeLink, link: "etc/passwd"},
		{name: "./etc/passwd2", typ: tar.TypeReg, body: "x"},
	}))
	if err != nil {
		t.Fatalf("Unpack() = %v, want nil", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "etc/passwd"))
	if err != nil || string(b) != "root:x:0:0\n" {
		t.Errorf("etc/passwd = %q, %v, want %q", b, err, "root:x:0:0\n")
	}
	fi, err := os.Stat(filepath.Join(dir, "bin/sh"))
	if err != nil || fi.Mode()&os.ModeSetuid == 0 || fi.Mode().Perm() != 0o755 {
		t.Errorf("bin/sh mode = %v, %v, want setuid 0755", fi.Mode(), err)
	}
	if got, err := os.Readlink(filepath.Join(dir, "etc/link")); got != "/etc/passwd" {
		t.Errorf("Readlink(etc/link) = %q, %v, want /etc/passwd", got, err)
	}
	var a, h unix.Stat_t
	if err := unix.Stat(filepath.Join(dir, "etc/passwd"), &a); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat(filepath.Join(dir, "etc/hard"), &h); err != nil || a.Ino != h.Ino {
		t.Errorf("etc/hard inode = %d, %v, want %d (hard link)", h.Ino, err, a.Ino)
	}
	if fi, err := os.Stat(filepath.Join(dir, "etc")); err != nil || !fi.ModTime().Equal(time.Unix(1700000000, 0)) {
		t.Errorf("etc mtime = %v, %v, want 1700000000", fi.ModTime(), err)
	}
}

func TestUnpackMalicious(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
	}{
		{"dotdot", []entry{{name: "../escape", typ: tar.TypeReg, body: "x"}}},
		{"nested dotdot", []entry{{name: "a/../../escape", typ: tar.TypeReg, body: "x"}}},
		{"absolute", []entry{{name: "/escape", typ: tar.TypeReg, body: "x"}}},
		{"symlink escape", []entry{
			{name: "link", typ: tar.TypeSymlink, link: "../"},
			{name: "link/escape", typ: tar.TypeReg, body: "x"},
		}},
		{"absolute symlink escape", []entry{
			{name: "link", typ: tar.TypeSymlink, link: "/"},
			{name: "link/escape", typ: tar.TypeReg, body: "x"},
		}},
		{"deep symlink escape", []entry{
			{name: "a/b", typ: tar.TypeSymlink, link: "../../.."},
			{name: "a/b/escape", typ: tar.TypeReg, body: "x"},
		}},
		{"whiteout of parent", []entry{{name: "a/.wh...", typ: tar.TypeReg}}},
		{"hardlink escape", []entry{{name: "hard", typ: tar.TypeLink, link: "../outside"}}},
		{"hardlink absolute", []entry{{name: "hard", typ: tar.TypeLink, link: "/outside"}}},
		{"hardlink via symlink", []entry{
			{name: "up", typ: tar.TypeSymlink, link: ".."},
			{name: "hard", typ: tar.TypeLink, link: "up/outside"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top := t.TempDir()
			if err := os.WriteFile(filepath.Join(top, "outside"), []byte("secret"), 0o600); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(top, "layer")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			err := Unpack(dir, makeTar(t, tt.entries))
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Unpack(%s) = %v, want ErrInvalid", tt.name, err)
			}
			names, _ := os.ReadDir(top)
			if len(names) != 2 {
				t.Errorf("outside the layer dir: %d entries, want 2 (outside, layer)", len(names))
			}
			for _, p := range []string{"/escape", filepath.Join(top, "escape")} {
				if _, err := os.Lstat(p); err == nil {
					t.Errorf("%s exists after Unpack", p)
				}
			}
		})
	}
}
