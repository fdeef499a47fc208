package image

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// RemoteDigest returns the digest of ref's manifest or index as its registry serves it
// (the descriptor's, not a platform's), without pulling anything: what Compose's
// `config --resolve-image-digests` pins. Credentials come from kc (nil:
// authn.DefaultKeychain, which reads ~/.docker/config.json). A malformed ref wraps
// ErrInvalid.
func RemoteDigest(ctx context.Context, ref string, kc authn.Keychain) (string, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", fmt.Errorf("resolve digest of %q: %w: %w", ref, ErrInvalid, err)
	}
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	desc, err := remote.Head(r, remote.WithContext(ctx), remote.WithAuthFromKeychain(kc))
	if err != nil {
		return "", fmt.Errorf("resolve digest of %q: %w", ref, err)
	}
	return desc.Digest.String(), nil
}
