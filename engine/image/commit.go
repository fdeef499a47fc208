package image

import (
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// CommitOptions describe the image Commit makes, as `docker commit`'s flags.
type CommitOptions struct {
	// Config is the container's configuration (its image's, with what the container
	// was run with): the new image's config before Changes.
	Config v1.Config
	// Changes are Dockerfile instructions applied to Config, as Import's.
	Changes []string
	Author  string
	Comment string // the commit message, in the config's history
	// CreatedBy is the history entry's command: the container's.
	CreatedBy string
	// Tag names the new image (normalized as NormalizeRef); "" leaves it untagged.
	Tag string
	// Now is the image's creation time; zero means time.Now.
	Now time.Time
}

// Commit stores a new image: base with one more layer, the changes recorded in the
// overlay upper dir upper (WriteDirTar), and the config opts describes, as `docker
// commit`. The layer is added even when upper is empty, as Docker's. A bad change or
// tag yields ErrInvalid; a base whose layers are gone, ErrNotFound.
func (s *Store) Commit(base *Image, upper string, opts CommitOptions) (*Image, error) {
	var tags []string
	if opts.Tag != "" {
		t, err := NormalizeRef(opts.Tag)
		if err != nil {
			return nil, fmt.Errorf("commit: %w", err)
		}
		tags = []string{t}
	}
	cfg := base.Config.DeepCopy()
	cfg.Config = *opts.Config.DeepCopy()
	for _, c := range opts.Changes {
		if err := applyChange(&cfg.Config, c); err != nil {
			return nil, fmt.Errorf("commit: change %q: %w", c, err)
		}
	}
	m, err := s.Manifest(base)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	desc, err := s.addDirLayer(upper)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	cfg.Created = v1.Time{Time: now.UTC()}
	cfg.Author = opts.Author
	cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, desc.Digest)
	cfg.History = append(cfg.History, v1.History{Created: cfg.Created, Author: opts.Author,
		CreatedBy: opts.CreatedBy, Comment: opts.Comment})
	img, err := s.AddImage(cfg, append(m.Layers, desc), tags)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return img, nil
}

// addDirLayer stores the tree under dir (an overlay upper dir) as a layer.
func (s *Store) addDirLayer(dir string) (v1.Descriptor, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(WriteDirTar(dir, pw)) }()
	desc, err := s.AddLayer(pr)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the writer if AddLayer stopped early
	return desc, err
}
