package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"
)

// Sentinel errors, tested with errors.Is.
var (
	ErrNotFound = errors.New("image not found")
	ErrExists   = errors.New("already exists")
	ErrInvalid  = errors.New("invalid")
	ErrInUse    = errors.New("image is in use")
)

// Store is an image store rooted at one directory. It is safe for concurrent use by
// several goroutines and several processes: blobs and layers are written to a temp
// name and renamed into place, and index updates hold an flock on root/lock.
type Store struct {
	root string
}

// Image is one stored image.
type Image struct {
	ID       string        `json:"id"` // config digest, "sha256:..."
	RepoTags []string      `json:"repoTags"`
	Digest   string        `json:"digest"` // manifest digest
	Created  time.Time     `json:"created"`
	Size     int64         `json:"size"`   // sum of uncompressed layer sizes
	Layers   []v1.Hash     `json:"layers"` // diffIDs, bottom to top
	Config   v1.ConfigFile `json:"-"`
}

type indexFile struct {
	Images map[string]*Image `json:"images"`
}

// Open opens (creating if needed) the store at root, normally $BERTH_ROOT/images.
func Open(root string) (*Store, error) {
	for _, d := range []string{"blobs/sha256", "layers", "compressed", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			return nil, fmt.Errorf("open image store %q: %w", root, err)
		}
	}
	s := &Store{root: root}
	s.sweepTmp()
	return s, nil
}

// sweepTmp removes work files that an interrupted process left in tmp more than a
// day ago; younger ones may belong to a pull still running in another process.
func (s *Store) sweepTmp() {
	dir := filepath.Join(s.root, "tmp")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// lock takes the store's exclusive flock; the returned func releases it.
func (s *Store) lock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.root, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock image store: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock image store: %w", err)
	}
	return func() { f.Close() }, nil
}

func (s *Store) readIndex() (*indexFile, error) {
	idx := &indexFile{Images: map[string]*Image{}}
	path := filepath.Join(s.root, "index.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return idx, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read image index: %w", err)
	}
	if err := json.Unmarshal(b, idx); err != nil {
		return nil, fmt.Errorf("read image index %s: %w", path, err)
	}
	if idx.Images == nil {
		idx.Images = map[string]*Image{}
	}
	return idx, nil
}

func (s *Store) writeIndex(idx *indexFile) error {
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return fmt.Errorf("encode image index: %w", err)
	}
	return s.writeAtomic(filepath.Join(s.root, "index.json"), b)
}

// writeAtomic replaces path with b through a synced temp file beside it and a rename
// (atomicfile): on any error path keeps its old content, or stays absent.
func (s *Store) writeAtomic(path string, b []byte) error {
	if err := atomicfile.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}

func (s *Store) blobPath(h v1.Hash) string {
	return filepath.Join(s.root, "blobs", h.Algorithm, h.Hex)
}

func (s *Store) layerPath(diffID v1.Hash) string {
	return filepath.Join(s.root, "layers", diffID.Hex)
}

// NormalizeRef returns ref in Docker's full form: "redis" is
// "docker.io/library/redis:latest". Digest references keep their digest.
func NormalizeRef(ref string) (string, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", fmt.Errorf("parse reference %q: %w: %w", ref, ErrInvalid, err)
	}
	return dockerName(r), nil
}

// dockerName is r.Name() with Docker Hub spelled "docker.io" as Docker spells it.
func dockerName(r name.Reference) string {
	n := r.Name()
	if rest, ok := strings.CutPrefix(n, "index.docker.io/"); ok {
		return "docker.io/" + rest
	}
	return n
}

// FamiliarName returns the short form users type: "docker.io/library/redis:latest"
// is "redis:latest", "docker.io/bitnami/redis:7" is "bitnami/redis:7".
func FamiliarName(ref string) string {
	s := strings.TrimPrefix(ref, "docker.io/")
	if s == ref {
		return ref
	}
	return strings.TrimPrefix(s, "library/")
}

// List returns every stored image, newest first.
func (s *Store) List() ([]*Image, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	out := make([]*Image, 0, len(idx.Images))
	for _, img := range idx.Images {
		if err := s.loadConfig(img); err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func (s *Store) loadConfig(img *Image) error {
	h, err := v1.NewHash(img.ID)
	if err != nil {
		return fmt.Errorf("image %s: %w", img.ID, err)
	}
	b, err := os.ReadFile(s.blobPath(h))
	if err != nil {
		return fmt.Errorf("read config of image %s: %w", img.ID, err)
	}
	if err := json.Unmarshal(b, &img.Config); err != nil {
		return fmt.Errorf("parse config of image %s: %w", img.ID, err)
	}
	return nil
}

// Get returns the image named by ref: a tag ("redis", "redis:7"), a digest reference
// ("redis@sha256:..."), a full image ID ("sha256:...") or a unique ID prefix of at
// least 4 hex digits. An unknown ref yields an error wrapping ErrNotFound.
func (s *Store) Get(ref string) (*Image, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	img, _, err := find(idx, ref)
	if err != nil {
		return nil, err
	}
	if err := s.loadConfig(img); err != nil {
		return nil, err
	}
	return img, nil
}

// find resolves ref in idx; the returned tag is the normalized tag ref matched, if any.
func find(idx *indexFile, ref string) (*Image, string, error) {
	if id := strings.TrimPrefix(ref, "sha256:"); isHexPrefix(id) {
		var match *Image
		for key, img := range idx.Images {
			if strings.HasPrefix(strings.TrimPrefix(key, "sha256:"), id) {
				if match != nil {
					return nil, "", fmt.Errorf("image ID prefix %q is ambiguous: %w", ref, ErrInvalid)
				}
				match = img
			}
		}
		if match != nil {
			return match, "", nil
		}
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, "", fmt.Errorf("image %q: %w", ref, ErrNotFound)
	}
	full := dockerName(r)
	for _, img := range idx.Images {
		if d, ok := r.(name.Digest); ok && d.DigestStr() == img.Digest {
			return img, "", nil
		}
		for _, t := range img.RepoTags {
			if t == full {
				return img, full, nil
			}
		}
	}
	return nil, "", fmt.Errorf("image %q: %w", ref, ErrNotFound)
}

func isHexPrefix(s string) bool {
	if len(s) < 4 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// LayerDirs returns the unpacked layer directories of img, bottom (base) to top,
// ready to become overlayfs lowerdirs (which list the top first). A missing layer
// yields an error wrapping ErrNotFound.
func (s *Store) LayerDirs(img *Image) ([]string, error) {
	dirs := make([]string, 0, len(img.Layers))
	for _, l := range img.Layers {
		p := s.layerPath(l)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("layer %s of image %s: %w", l, img.ID, ErrNotFound)
		}
		dirs = append(dirs, p)
	}
	return dirs, nil
}
