package project

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine/image"
)

// ImageSummary is one container's image, as `docker compose images` reports it.
type ImageSummary struct {
	ContainerName string
	Repository    string
	Tag           string
	ID            string // "sha256:..."
	Size          int64
}

// ImagesOptions select the containers of Images.
type ImagesOptions struct {
	Services []string // only these services; empty: all
}

// Images returns the image of every container of project name (stopped ones too, not
// one-off containers), sorted by container name, as `docker compose images`. An image
// no longer in the store is reported with Repository and Tag from the container's
// reference and an empty ID. A project never brought up yields nothing.
func Images(cfg Config, name string, opts ImagesOptions) ([]ImageSummary, error) {
	st, err := cfg.LoadState(name)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cfg.restoreSupervisor(name, st)
	store, err := cfg.imageStore()
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, s := range opts.Services {
		want[s] = true
	}
	var out []ImageSummary
	for _, c := range st.Containers {
		if c.Oneoff() || (len(want) > 0 && !want[c.Service]) {
			continue
		}
		ref := containerImage(name, c)
		s := ImageSummary{ContainerName: c.Name}
		s.Repository, s.Tag = splitRepoTag(image.FamiliarName(ref))
		img, err := store.Get(ref)
		switch {
		case errors.Is(err, image.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("image of container %s: %w", c.Name, err)
		default:
			s.ID, s.Size = img.ID, img.Size
			if isImageID(ref) && len(img.RepoTags) > 0 {
				s.Repository, s.Tag = splitRepoTag(image.FamiliarName(img.RepoTags[0]))
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ContainerName < out[j].ContainerName })
	return out, nil
}

// containerImage is the image reference a container was created from: its service's
// image:, else the name Compose gives a built image, <project>-<service>.
func containerImage(project string, c *ContainerState) string {
	if c.Image != "" {
		return c.Image
	}
	return project + "-" + c.Service
}

// splitRepoTag splits "redis:7" into "redis", "7"; a reference without a tag has the
// tag "latest", one by digest "<none>".
func splitRepoTag(ref string) (string, string) {
	if repo, _, ok := strings.Cut(ref, "@"); ok {
		return repo, "<none>"
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i], ref[i+1:]
	}
	return ref, "latest"
}

func isImageID(ref string) bool {
	return strings.HasPrefix(ref, "sha256:")
}

// Which images `down --rmi` removes.
const (
	RemoveImagesLocal = "local" // built images without a custom tag: <project>-<service>
	RemoveImagesAll   = "all"   // every image the project's services use
)

// downImages lists the images `down --rmi mode` removes, from the compose project
// when it is known (p may be nil) and from the recorded containers: with
// RemoveImagesLocal only the images named <project>-<service> because their service
// sets no image:, with RemoveImagesAll every one. Call it before the containers are
// removed from st.
func downImages(st *State, p *compose.Project, mode string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(ref string, local bool) {
		if (mode == RemoveImagesAll || local) && !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	if p != nil {
		for _, name := range sortedKeys(p.Services) {
			add(ImageName(p, name), p.Services[name].Image == "")
		}
	}
	for _, c := range st.Containers {
		ref := containerImage(st.Name, c)
		add(ref, ref == st.Name+"-"+c.Service)
	}
	return out
}

// CheckRemoveImages fails, wrapping ErrInvalid, on a `down --rmi` value other than
// local or all.
func CheckRemoveImages(mode string) error {
	if mode != "" && mode != RemoveImagesLocal && mode != RemoveImagesAll {
		return fmt.Errorf("--rmi %q: want local or all: %w", mode, ErrInvalid)
	}
	return nil
}

// removeImages removes refs from the store once the project's containers are gone:
// an image not in the store is skipped, one another project's container still uses
// is an error (as Docker refuses it) and the others are still removed.
func (r *run) removeImages(refs []string) error {
	if len(refs) == 0 {
		return nil
	}
	store, err := r.cfg.imageStore()
	if err != nil {
		return err
	}
	used, err := r.cfg.imagesInUse(store, r.st.Name)
	if err != nil {
		return err
	}
	var errs []error
	for _, ref := range refs {
		err := store.Remove(ref, false, func(id string) bool { return used[id] != "" })
		switch {
		case errors.Is(err, image.ErrNotFound):
		case errors.Is(err, image.ErrInUse):
			img, _ := store.Get(ref)
			holder := ""
			if img != nil {
				holder = used[img.ID]
			}
			errs = append(errs, fmt.Errorf("remove image %s: used by %s: %w", ref, holder, err))
		case err != nil:
			errs = append(errs, fmt.Errorf("remove image %s: %w", ref, err))
		default:
			r.printf(" Image %s  Removed\n", ref)
		}
	}
	return errors.Join(errs...)
}

// imagesInUse maps the image IDs that containers of projects other than self use to
// one of those containers ("container x of project y").
func (c Config) imagesInUse(store *image.Store, self string) (map[string]string, error) {
	others, err := c.otherProjects(self)
	if err != nil {
		return nil, err
	}
	used := map[string]string{}
	for _, st := range others {
		for _, ctr := range st.Containers {
			if img, err := store.Get(containerImage(st.Name, ctr)); err == nil && used[img.ID] == "" {
				used[img.ID] = fmt.Sprintf("container %s of project %s", ctr.Name, st.Name)
			}
		}
	}
	return used, nil
}
