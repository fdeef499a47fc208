package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Import stores the rootfs tarball read from r (plain or gzip) as a one-layer image
// tagged ref (empty ref: untagged), like `docker import`. changes are Dockerfile-style
// instructions applied to the config: CMD, ENTRYPOINT (JSON or shell form), ENV,
// WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL, VOLUME. A bad change yields ErrInvalid.
func (s *Store) Import(ctx context.Context, r io.Reader, ref string, changes []string) (*Image, error) {
	var tags []string
	if ref != "" {
		n, err := NormalizeRef(ref)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		tags = []string{n}
	}
	cfg := &v1.ConfigFile{
		Architecture: HostPlatform().Architecture,
		OS:           "linux",
		Created:      v1.Time{Time: time.Now().UTC()},
	}
	for _, c := range changes {
		if err := applyChange(&cfg.Config, c); err != nil {
			return nil, fmt.Errorf("import: change %q: %w", c, err)
		}
	}
	f, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "import-")
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		return nil, fmt.Errorf("import: read rootfs: %w", err)
	}
	layer, err := tarball.LayerFromFile(f.Name())
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	base, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	cfg.RootFS = base.RootFS
	cfg.History = []v1.History{{Created: cfg.Created, CreatedBy: "berth image import", Comment: "imported"}}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	stored, err := s.add(ctx, img, tags, nil)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return stored, nil
}

// applyChange applies one Dockerfile-style instruction to c.
func applyChange(c *v1.Config, change string) error {
	instr, arg, _ := strings.Cut(strings.TrimSpace(change), " ")
	arg = strings.TrimSpace(arg)
	switch strings.ToUpper(instr) {
	case "CMD":
		c.Cmd = commandForm(arg)
	case "ENTRYPOINT":
		c.Entrypoint = commandForm(arg)
	case "ENV":
		k, v, ok := strings.Cut(arg, "=")
		if !ok {
			k, v, ok = strings.Cut(arg, " ")
		}
		if !ok || k == "" {
			return fmt.Errorf("ENV wants KEY=VALUE: %w", ErrInvalid)
		}
		c.Env = append(c.Env, k+"="+strings.TrimSpace(v))
	case "WORKDIR":
		c.WorkingDir = arg
	case "USER":
		c.User = arg
	case "STOPSIGNAL":
		c.StopSignal = arg
	case "EXPOSE":
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range strings.Fields(arg) {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			c.ExposedPorts[p] = struct{}{}
		}
	case "VOLUME":
		if c.Volumes == nil {
			c.Volumes = map[string]struct{}{}
		}
		vols := strings.Fields(arg) // VOLUME /a /b, or a JSON list
		var list []string
		if strings.HasPrefix(arg, "[") && json.Unmarshal([]byte(arg), &list) == nil {
			vols = list
		}
		for _, v := range vols {
			c.Volumes[v] = struct{}{}
		}
	case "LABEL":
		k, v, ok := strings.Cut(arg, "=")
		if !ok || k == "" {
			return fmt.Errorf("LABEL wants KEY=VALUE: %w", ErrInvalid)
		}
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		c.Labels[k] = strings.Trim(v, `"`)
	default:
		return fmt.Errorf("unsupported instruction %q: %w", instr, ErrInvalid)
	}
	return nil
}

// commandForm parses a JSON array ("exec form") or wraps a string in /bin/sh -c.
func commandForm(arg string) []string {
	var list []string
	if strings.HasPrefix(arg, "[") && json.Unmarshal([]byte(arg), &list) == nil {
		return list
	}
	return []string{"/bin/sh", "-c", arg}
}
