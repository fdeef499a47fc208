package builder

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-dev/berth/builder/buildcontext"
	"github.com/berth-dev/berth/builder/dockerfile"
	"github.com/berth-dev/berth/engine/image"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// base returns the starting state of a stage: an empty image for scratch, a copy of
// an earlier stage, or an image from the store (pulled as the policy allows).
func (b *builder) base(ctx context.Context, s *dockerfile.Stage, states map[int]*state) (*state, error) {
	if s.Platform != "" {
		host := image.HostPlatform()
		want := host.OS + "/" + host.Architecture
		if p := strings.TrimSuffix(s.Platform, "/"+host.Variant); p != want && s.Platform != want {
			return nil, fmt.Errorf("FROM --platform=%s: %w: berth builds for the host platform %s only", s.Platform, dockerfile.ErrUnsupported, want)
		}
	}
	if s.BaseStage != nil {
		return states[*s.BaseStage].clone(), nil
	}
	if strings.EqualFold(s.Base, "scratch") {
		host := image.HostPlatform()
		return &state{
			cfg: v1.ConfigFile{Architecture: host.Architecture, OS: host.OS, Variant: host.Variant,
				Created: v1.Time{Time: time.Unix(0, 0).UTC()}, RootFS: v1.RootFS{Type: "layers"},
				// BuildKit's empty image: Docker's default PATH in the config.
				Config: v1.Config{Env: []string{"PATH=" + dockerfile.DefaultPath}}},
			args: map[string]string{},
			key:  "scratch",
		}, nil
	}
	st, err := b.image(ctx, s.Base)
	if err != nil {
		return nil, err
	}
	if st.localDir {
		return nil, fmt.Errorf("FROM %s: %w: a directory context serves COPY --from and RUN --mount from= only", s.Base, dockerfile.ErrUnsupported)
	}
	st = st.clone()
	st.cfg.Config.Env = dockerfile.WithDefaultPath(st.cfg.Config.Env)
	return st, nil
}

// image returns the state of the image ref, from the store or the registry. Each
// reference is resolved once per build.
func (b *builder) image(ctx context.Context, ref string) (*state, error) {
	if st, ok := b.images[ref]; ok {
		return st, nil
	}
	name := ref
	if v, ok := b.opts.NamedContexts[ref]; ok {
		if img, isImage := strings.CutPrefix(v, "docker-image://"); isImage {
			ref = img
		} else {
			st, err := localContext(v)
			if err != nil {
				return nil, fmt.Errorf("context %q: %w", name, err)
			}
			b.images[name] = st
			return st, nil
		}
	}
	store := b.opts.Store
	var img *image.Image
	var err error
	if b.opts.Pull != PullAlways {
		img, err = store.Get(ref)
	}
	if b.opts.Pull == PullAlways || (errors.Is(err, image.ErrNotFound) && b.opts.Pull == PullMissing) {
		img, err = store.Pull(ctx, ref, image.PullOptions{})
	}
	if err != nil {
		if errors.Is(err, image.ErrNotFound) && b.opts.Pull == PullNever {
			return nil, fmt.Errorf("image %q is not in the local store and the pull policy is never: %w", ref, err)
		}
		return nil, fmt.Errorf("image %q: %w", ref, err)
	}
	st, err := b.imageState(img)
	if err != nil {
		return nil, err
	}
	b.images[name] = st
	return st, nil
}

// localContext is the state of a directory named context: its files as one layer
// dir, keyed in the cache by their content (.dockerignore in it applied to the key).
func localContext(dir string) (*state, error) {
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("%s: not an absolute directory or docker-image://: %w", dir, ErrInvalid)
	}
	bctx, err := buildcontext.Open(dir, "")
	if err != nil {
		return nil, err
	}
	srcs, err := bctx.Resolve(".")
	if err != nil {
		return nil, err
	}
	h, err := bctx.Hash(srcs)
	if err != nil {
		return nil, err
	}
	host := image.HostPlatform()
	return &state{cfg: v1.ConfigFile{Architecture: host.Architecture, OS: host.OS, RootFS: v1.RootFS{Type: "layers"}},
		dirs: []string{bctx.Dir()}, args: map[string]string{}, key: "context:" + h, localDir: true}, nil
}

func (b *builder) imageState(img *image.Image) (*state, error) {
	store := b.opts.Store
	dirs, err := store.LayerDirs(img)
	if err != nil {
		return nil, err
	}
	m, err := store.Manifest(img)
	if err != nil {
		return nil, err
	}
	if len(m.Layers) != len(img.Config.RootFS.DiffIDs) {
		return nil, fmt.Errorf("image %s: manifest lists %d layers for %d diffIDs: %w", img.ID, len(m.Layers), len(img.Config.RootFS.DiffIDs), image.ErrInvalid)
	}
	return &state{cfg: *img.Config.DeepCopy(), layers: m.Layers, dirs: dirs, args: map[string]string{}, key: img.ID}, nil
}
