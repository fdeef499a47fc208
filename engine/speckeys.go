package engine

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// This file holds the spec's resource, cgroup and mount option types and checks
// beyond the basic ones of spec.go.

// Blkio is Docker's blkio settings. Devices are named by host path (a block device
// node); the engine reads their major and minor numbers.
type Blkio struct {
	Weight              uint16
	WeightDevice        []WeightDevice
	ReadBps, WriteBps   []ThrottleDevice
	ReadIOps, WriteIOps []ThrottleDevice
}

// WeightDevice is a block device and its IO weight (10-1000).
type WeightDevice struct {
	Path   string
	Weight uint16
}

// ThrottleDevice is a block device and a rate: bytes or operations per second.
type ThrottleDevice struct {
	Path string
	Rate uint64
}

// MountImage is the image of an image mount: its unpacked layer dirs, base first.
type MountImage struct {
	Layers []string
}

func (b *Blkio) validate() error {
	weights := []uint16{b.Weight}
	for _, d := range b.WeightDevice {
		if d.Weight == 0 {
			return fmt.Errorf("blkio weight of %s: want 10 to 1000: %w", d.Path, ErrInvalid)
		}
		weights = append(weights, d.Weight)
	}
	for _, w := range weights {
		if w != 0 && (w < 10 || w > 1000) {
			return fmt.Errorf("blkio weight %d: want 10 to 1000: %w", w, ErrInvalid)
		}
	}
	return nil
}

// validateCgroup checks the cgroup settings: a parent that stays under the
// hierarchies' roots, a known namespace mode, an oom_score_adj in the kernel's range.
func (s *Spec) validateCgroup() error {
	if p := s.CgroupParent; p != "" && (strings.Contains("/"+p+"/", "/../") || strings.ContainsAny(p, "\x00\n")) {
		return fmt.Errorf("container %q: cgroup parent %q: %w", s.ID, p, ErrInvalid)
	}
	if s.CgroupNS != "" && s.CgroupNS != CgroupNSHost && s.CgroupNS != CgroupNSPrivate {
		return fmt.Errorf("container %q: cgroup namespace %q: want host or private: %w", s.ID, s.CgroupNS, ErrInvalid)
	}
	if s.OOMScoreAdj < -1000 || s.OOMScoreAdj > 1000 {
		return fmt.Errorf("container %q: oom_score_adj %d: want -1000 to 1000: %w", s.ID, s.OOMScoreAdj, ErrInvalid)
	}
	return nil
}

// propagations are the values of Mount.Propagation.
var propagations = []string{"", "private", "rprivate", "shared", "rshared", "slave", "rslave"}

func (m *Mount) validate() error {
	switch {
	case len(m.Target) == 0 || m.Target[0] != '/' || (m.Type != "bind" && m.Type != "tmpfs" && m.Type != "image"):
		return fmt.Errorf("mount %+v: %w", *m, ErrInvalid)
	case m.Subpath != "" && !filepath.IsLocal(m.Subpath):
		return fmt.Errorf("mount on %s: subpath %q: want a relative path within the source: %w", m.Target, m.Subpath, ErrInvalid)
	case !slices.Contains(propagations, m.Propagation):
		return fmt.Errorf("mount on %s: propagation %q: %w", m.Target, m.Propagation, ErrInvalid)
	case m.Type == "image" && (m.Image == nil || len(m.Image.Layers) == 0):
		return fmt.Errorf("image mount on %s: no layers: %w", m.Target, ErrInvalid)
	}
	return nil
}
