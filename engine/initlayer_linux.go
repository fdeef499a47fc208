package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// initLayerEntries are the mountpoints every container gets: the bottom layer of its
// overlay holds them (empty), so that an image without them shows them without a
// copy-up into the container's upper dir. Docker's per-container init layer holds the
// same; this one is shared (made once per Root, never written afterwards), and being
// the bottom layer it never hides an image's own file.
var initLayerEntries = []struct {
	path string
	dir  bool
}{
	{"proc", true}, {"dev", true}, {"sys", true}, {"etc", true},
	{"etc/hosts", false}, {"etc/hostname", false}, {"etc/resolv.conf", false},
}

// initLayersMade records the Roots whose init layer this process has made or found.
var initLayersMade sync.Map

// lowerDirs is layers (base first, each once: see TopmostLayers) under the init
// layer of e.Root, which it makes unless it exists.
func (e *Engine) lowerDirs(layers []string) ([]string, error) {
	path := filepath.Join(e.Root, "init-layer")
	if _, ok := initLayersMade.Load(path); !ok {
		if err := makeInitLayer(path); err != nil {
			return nil, fmt.Errorf("init layer %s: %w", path, err)
		}
		initLayersMade.Store(path, true)
	}
	return append([]string{path}, TopmostLayers(layers)...), nil
}

// makeInitLayer builds the layer in a temporary dir renamed into place, so that
// concurrent processes never see half of it; the one that loses the race keeps the
// winner's.
func makeInitLayer(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".init-layer-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, e := range initLayerEntries {
		p := filepath.Join(tmp, e.path)
		if e.dir {
			err = os.Mkdir(p, 0o755)
		} else {
			err = writeFile(p, nil, 0o644)
		}
		if err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) && !errors.Is(err, unix.ENOTEMPTY) {
		return err
	}
	return nil
}
