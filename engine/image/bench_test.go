package image

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// layer100MB is a tar of 100 files of 1 MB, built once.
func layer100MB(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := make([]byte, 1<<20)
	for i := 0; i < 100; i++ {
		rand.Read(body)
		hdr := &tar.Header{Name: fmt.Sprintf("d%d/f%d", i%10, i), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}
		if err := tw.WriteHeader(hdr); err != nil {
			b.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			b.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkUnpack100MB unpacks a 100 MB layer; compare with BenchmarkCopy100MB, a
// plain write of the same bytes to one file in the same directory tree.
func BenchmarkUnpack100MB(b *testing.B) {
	data := layer100MB(b)
	top := b.TempDir()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(top, fmt.Sprint(i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := Unpack(dir, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}

func BenchmarkCopy100MB(b *testing.B) {
	data := layer100MB(b)
	top := b.TempDir()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := filepath.Join(top, fmt.Sprint(i))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.Remove(p)
		b.StartTimer()
	}
}

// BenchmarkGzipLayer100MB makes the gzip blob of a stored 100 MB layer, as a first
// push of a built layer does (random content: the worst case for deflate).
func BenchmarkGzipLayer100MB(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "images"))
	if err != nil {
		b.Fatal(err)
	}
	data := layer100MB(b)
	desc, err := s.AddLayer(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.gzipLayer(desc.Digest, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
