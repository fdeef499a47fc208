package compose

import (
	"fmt"
	"maps"
	"slices"

	"github.com/distribution/reference"
)

// PinImageDigests rewrites, in the rendered model, every service's image (and the
// images of its pre_start hooks and image volumes) that has no digest yet to its full
// reference pinned to the digest resolve returns for it, as compose-go's
// WithImagesResolved for `config --resolve-image-digests`: "nginx:1.25" becomes
// "docker.io/library/nginx:1.25@sha256:...". resolve gets the full reference
// ("docker.io/library/nginx:1.25") and is called once per distinct image. The typed
// services are left as they are: the pins are for the printed configuration.
func (p *Project) PinImageDigests(resolve func(ref string) (string, error)) error {
	pinned := map[string]string{}
	pin := func(path string, image any) (any, error) {
		s, ok := image.(string)
		if !ok || s == "" {
			return image, nil
		}
		if out, ok := pinned[s]; ok {
			return out, nil
		}
		named, err := reference.ParseDockerRef(s)
		if err != nil {
			return image, fmt.Errorf("%s: image %q: %w", path, s, err)
		}
		out := named.String()
		if _, ok := named.(reference.Canonical); !ok {
			d, err := resolve(out)
			if err != nil {
				return image, fmt.Errorf("%s: %w", path, err)
			}
			out += "@" + d
			if _, err := reference.ParseDockerRef(out); err != nil {
				return image, fmt.Errorf("%s: image %q: digest %q: %w", path, s, d, err)
			}
		}
		pinned[s] = out
		return out, nil
	}
	svcs := p.ServiceModels()
	for _, n := range slices.Sorted(maps.Keys(svcs)) {
		if err := pinService("services."+n, svcs[n], pin); err != nil {
			return err
		}
	}
	return nil
}

// pinService pins the images of one service model.
func pinService(base string, svc map[string]any, pin func(string, any) (any, error)) error {
	var err error
	if _, ok := svc["image"]; ok {
		if svc["image"], err = pin(base+".image", svc["image"]); err != nil {
			return err
		}
	}
	hooks, _ := svc["pre_start"].([]any)
	for i, h := range hooks {
		if hm, ok := h.(map[string]any); ok && hm["image"] != nil {
			if hm["image"], err = pin(fmt.Sprintf("%s.pre_start[%d].image", base, i), hm["image"]); err != nil {
				return err
			}
		}
	}
	vols, _ := svc["volumes"].([]any)
	for i, v := range vols {
		if vm, ok := v.(map[string]any); ok && vm["type"] == "image" {
			if vm["source"], err = pin(fmt.Sprintf("%s.volumes[%d].source", base, i), vm["source"]); err != nil {
				return err
			}
		}
	}
	return nil
}
