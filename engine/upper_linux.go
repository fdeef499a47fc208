package engine

import "path/filepath"

// UpperDir returns the container's overlay upper directory: every file the container
// created or changed, in overlayfs form (a deletion is a 0/0 character device, a
// replaced directory carries trusted.overlay.opaque=y). It is valid from Create until
// Remove; read it only while the container is not running. The builder turns it into
// an image layer after a RUN.
// An ID that names no container directory is refused with ErrInvalid.
func (e *Engine) UpperDir(id string) (string, error) {
	dir, err := e.dir(id)
	return filepath.Join(dir, "upper"), err
}
