package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// A named volume's labels are in <root>/volumes/<name>/labels.json, beside its _data,
// written when the volume is made: `down -v` finds a project's volumes by them even
// after a plain `down` removed its state, as Compose finds them by their labels.
const volumeLabelsFile = "labels.json"

// LabelVolume is the label naming a volume's compose key, as Compose writes it.
const LabelVolume = "com.docker.compose.volume"

// LabelVolume writes the labels of the named volume, whose directory must exist; it
// leaves labels already written alone (the volume keeps those it was made with).
func (c Paths) LabelVolume(name string, labels map[string]string) error {
	dir, err := c.VolumeDir(name)
	if err != nil {
		return err
	}
	file := filepath.Join(filepath.Dir(dir), volumeLabelsFile)
	if FileExists(file) {
		return nil
	}
	b, err := json.Marshal(labels)
	if err == nil {
		err = WriteAtomic(file, b)
	}
	if err != nil {
		return fmt.Errorf("label volume %q: %w", name, err)
	}
	return nil
}

// VolumesLabelled returns the names of the volumes whose label key is value, sorted;
// volumes without labels (made before labels were written) are never listed.
func (c Paths) VolumesLabelled(key, value string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(c.Root, "volumes"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	var out []string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(c.Root, "volumes", e.Name(), volumeLabelsFile))
		if err != nil {
			continue
		}
		var labels map[string]string
		if json.Unmarshal(b, &labels) == nil && labels[key] == value {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}
