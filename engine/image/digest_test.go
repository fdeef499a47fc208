package image

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
)

func TestRemoteDigest(t *testing.T) {
	addr := startRegistry(t, "", "")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := random.Index(64, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	push(t, addr+"/one:1", img)
	push(t, addr+"/multi:1", idx)
	wantImg, _ := img.Digest()
	wantIdx, _ := idx.Digest()
	for ref, want := range map[string]string{addr + "/one:1": wantImg.String(), addr + "/multi:1": wantIdx.String()} {
		got, err := RemoteDigest(context.Background(), ref, nil)
		if err != nil || got != want {
			t.Errorf("RemoteDigest(%q) = %q, %v; want %q (the index's for an index)", ref, got, err, want)
		}
	}
	if _, err := RemoteDigest(context.Background(), addr+"/none:1", nil); err == nil {
		t.Errorf("RemoteDigest of a missing image = nil error")
	}
	if _, err := RemoteDigest(context.Background(), "UPPER:x:y", nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("RemoteDigest of a malformed ref = %v, want ErrInvalid", err)
	}
}
