package project

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/image"
)

// CommitOptions configure Commit, as `berth commit`'s arguments and flags.
type CommitOptions struct {
	ContainerOptions
	// Reference names the new image (REPOSITORY[:TAG]); "" leaves it untagged.
	Reference string
	Author    string
	Message   string
	// Changes are Dockerfile instructions applied to the image's config (--change).
	Changes []string
	// Pause freezes the container while its writable layer is read (--pause, Compose's
	// default), so the layer is one consistent moment of it.
	Pause bool
}

// Commit makes an image of a running container of the service, as `docker compose
// commit`: the container's image plus one layer of what the container changed, with
// the container's configuration (engine.Spec.ImageConfig) and the changes applied.
// It returns the new image. Errors as runningContainer's; a bad change or reference
// wraps image.ErrInvalid.
func Commit(cfg Config, name string, opts CommitOptions) (*image.Image, error) {
	c, err := cfg.runningContainer(name, opts.ContainerOptions)
	if err != nil {
		return nil, err
	}
	eng := cfg.engine()
	spec, err := eng.Spec(c.ID)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", describe(c), err)
	}
	store, err := cfg.imageStore()
	if err != nil {
		return nil, err
	}
	base, err := store.Get(baseImage(c))
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", describe(c), err)
	}
	upper, err := eng.UpperDir(c.ID)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", describe(c), err)
	}
	opts.status(c, "Committing")
	if opts.Pause {
		if err := eng.Pause(c.ID); err != nil {
			return nil, fmt.Errorf("commit %s: %w", describe(c), err)
		}
		defer eng.Unpause(c.ID)
	}
	img, err := store.Commit(base, upper, image.CommitOptions{Config: spec.ImageConfig(), Changes: opts.Changes,
		Author: opts.Author, Comment: opts.Message, CreatedBy: strings.Join(c.Command, " "), Tag: opts.Reference})
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", describe(c), err)
	}
	opts.status(c, "Committed as "+img.ID)
	return img, nil
}

// baseImage is the ID of the image container c was created from, else its name.
func baseImage(c *ContainerState) string {
	if id := c.Labels[LabelImage]; id != "" {
		return id
	}
	return c.Image
}
