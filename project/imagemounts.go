package project

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/spec"
)

// HostWarnings lists the settings of the project's services that this host's kernel
// cannot apply and that berth therefore leaves out, as Docker discards them with a
// warning, each at its place in the compose files (see spec.HostWarnings).
func HostWarnings(p *compose.Project) []compose.Warning { return spec.HostWarnings(p) }

// imageLayers finds the layers of the images svc mounts (volumes of type image), by
// mount target, pulling an image that is not in the local store.
func (r *run) imageLayers(ctx context.Context, svc compose.ServiceConfig) (map[string][]string, error) {
	out := map[string][]string{}
	for _, v := range svc.Volumes {
		if v.Type != "image" {
			continue
		}
		store, err := r.cfg.imageStore()
		if err != nil {
			return nil, err
		}
		img, err := pullIfNeeded(ctx, store, svc.Name, v.Source, PullMissing, printfWriter(r.printf), false)
		if err != nil {
			return nil, fmt.Errorf("image mount on %s: %w", v.Target, err)
		}
		layers, err := store.LayerDirs(img)
		if err != nil {
			return nil, fmt.Errorf("service %q: image mount on %s: %w", svc.Name, v.Target, err)
		}
		out[v.Target] = layers
	}
	return out, nil
}

// printfWriter writes through a printf (run.printf, which serializes its output).
type printfWriter func(format string, args ...any)

func (w printfWriter) Write(p []byte) (int, error) {
	w("%s", p)
	return len(p), nil
}
