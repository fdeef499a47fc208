package image

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// PullOptions tune Pull.
type PullOptions struct {
	// Platform picks the entry of a multi-arch index; nil means the host's
	// (linux/runtime.GOARCH).
	Platform *v1.Platform
	// Progress receives per-layer progress; nil reports nothing.
	Progress io.Writer
	// Terminal rewrites progress lines in place (for a TTY) instead of plain lines.
	Terminal bool
	// Insecure allows plain HTTP to the registry (localhost registries use it anyway).
	Insecure bool
	// Keychain resolves credentials; nil means authn.DefaultKeychain, which reads
	// $DOCKER_CONFIG/config.json or ~/.docker/config.json.
	Keychain authn.Keychain
}

// HostPlatform is the platform Pull picks by default.
func HostPlatform() v1.Platform {
	p := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if runtime.GOARCH == "arm" {
		p.Variant = "v7"
	}
	return p
}

// Pull fetches ref from its registry and stores it, tagged ref unless ref is a digest
// reference. Layers whose diffID is already stored are not downloaded again. Safe to
// call concurrently; a cancelled or killed pull leaves nothing a later call trusts.
func (s *Store) Pull(ctx context.Context, ref string, opts PullOptions) (*Image, error) {
	var nopts []name.Option
	if opts.Insecure {
		nopts = append(nopts, name.Insecure)
	}
	r, err := name.ParseReference(ref, nopts...)
	if err != nil {
		return nil, fmt.Errorf("pull %q: %w: %w", ref, ErrInvalid, err)
	}
	plat := HostPlatform()
	if opts.Platform != nil {
		plat = *opts.Platform
	}
	kc := opts.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	img, err := remote.Image(r, remote.WithContext(ctx), remote.WithAuthFromKeychain(kc), remote.WithPlatform(plat))
	if err != nil {
		return nil, fmt.Errorf("pull %q: %w", ref, err)
	}
	var tags []string
	if _, ok := r.(name.Tag); ok {
		tags = []string{dockerName(r)}
	}
	stored, err := s.add(ctx, img, tags, newProgress(opts.Progress, opts.Terminal))
	if err != nil {
		return nil, fmt.Errorf("pull %q: %w", ref, err)
	}
	return stored, nil
}
