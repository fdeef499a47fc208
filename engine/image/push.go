package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PushOptions tune Push.
type PushOptions struct {
	// Progress receives one line per layer: "Pushed", "Layer already exists" or
	// "Mounted from REPO"; nil reports nothing.
	Progress io.Writer
	// Insecure allows plain HTTP to the registry (localhost registries use it anyway).
	Insecure bool
	// Keychain resolves credentials; nil means authn.DefaultKeychain.
	Keychain authn.Keychain
}

// Push sends the image tagged ref to the registry ref names, as `docker push`, and
// returns the manifest digest the registry holds it under. Each layer goes as the gzip
// blob blobRecord describes: a pulled image is pushed as it was pulled (same
// manifest, same digests); another gets blobs made once and kept, so pushing it
// again sends nothing new. When a layer's blob was rebuilt, the pushed config lists
// the rebuilt tars' diffIDs, so the image pulled back has the same files and config
// under another ID. Blobs the registry has are not sent again. A ref that names no
// stored image yields ErrNotFound; an image ID or a digest reference, ErrInvalid.
func (s *Store) Push(ctx context.Context, ref string, opts PushOptions) (v1.Hash, error) {
	var nopts []name.Option
	if opts.Insecure {
		nopts = append(nopts, name.Insecure)
	}
	r, err := name.NewTag(ref, nopts...)
	if err != nil || strings.HasPrefix(ref, "sha256:") {
		return v1.Hash{}, fmt.Errorf("push %q: want REPOSITORY[:TAG]: %w", ref, ErrInvalid)
	}
	stored, tag, err := s.resolve(ref)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("push: %w", err)
	}
	if tag == "" {
		return v1.Hash{}, fmt.Errorf("push %q: want REPOSITORY[:TAG]: %w", ref, ErrInvalid)
	}
	img, err := s.pushable(stored)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("push %q: %w", ref, err)
	}
	kc := opts.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	obs := &pushObserver{rt: remote.DefaultTransport, p: newProgress(opts.Progress, false), layers: map[string]bool{}}
	if layers, err := img.Layers(); err == nil {
		for _, l := range layers {
			if d, err := l.Digest(); err == nil {
				obs.layers[d.String()] = false
				obs.order = append(obs.order, d.String())
			}
		}
	}
	err = remote.Write(r, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(kc), remote.WithTransport(obs))
	if err != nil {
		return v1.Hash{}, fmt.Errorf("push %q: %w", ref, err)
	}
	obs.rest("Layer already exists") // the registry had the manifest: it asked for no blob
	return img.Digest()
}

// pushable is stored as an image whose layers are their kept (or made) gzip blobs.
func (s *Store) pushable(stored *Image) (v1.Image, error) {
	recs := make([]blobRecord, len(stored.Layers))
	same := true
	for i, d := range stored.Layers {
		rec, err := s.layerBlob(d)
		if err != nil {
			return nil, err
		}
		recs[i], same = rec, same && rec.DiffID == d
	}
	cfgRaw, err := os.ReadFile(s.blobPath(mustHash(stored.ID)))
	if err != nil {
		return nil, fmt.Errorf("read config of image %s: %w", stored.ID, err)
	}
	m, err := s.Manifest(stored)
	if err != nil {
		return nil, err
	}
	img := &pushImage{s: s, cfg: cfgRaw, mt: m.MediaType, blobs: map[v1.Hash]blobRecord{}}
	for _, rec := range recs {
		img.blobs[rec.Digest] = rec
	}
	if same && sameLayers(m, recs) {
		if img.man, err = os.ReadFile(s.blobPath(mustHash(stored.Digest))); err != nil {
			return nil, fmt.Errorf("read manifest of image %s: %w", stored.ID, err)
		}
		return partial.CompressedToImage(img)
	}
	if !same {
		cfg := stored.Config.DeepCopy()
		cfg.RootFS = v1.RootFS{Type: "layers"}
		for _, rec := range recs {
			cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, rec.DiffID)
		}
		if img.cfg, err = json.Marshal(cfg); err != nil {
			return nil, fmt.Errorf("encode config: %w", err)
		}
	}
	if img.man, img.mt, err = pushManifest(m.MediaType, img.cfg, recs); err != nil {
		return nil, err
	}
	return partial.CompressedToImage(img)
}

// sameLayers reports whether m's layers are the blobs recs name.
func sameLayers(m *v1.Manifest, recs []blobRecord) bool {
	if len(m.Layers) != len(recs) {
		return false
	}
	for i, l := range m.Layers {
		if l.Digest != recs[i].Digest {
			return false
		}
	}
	return true
}

// pushManifest is the manifest of config cfg over the gzip blobs recs, of the family
// (Docker schema 2 or OCI) of the stored manifest's media type was.
func pushManifest(was types.MediaType, cfg []byte, recs []blobRecord) ([]byte, types.MediaType, error) {
	mt, cfgType, layerType := types.OCIManifestSchema1, types.OCIConfigJSON, types.OCILayer
	if was == types.DockerManifestSchema2 {
		mt, cfgType, layerType = types.DockerManifestSchema2, types.DockerConfigJSON, types.DockerLayer
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: mt,
		Config: v1.Descriptor{MediaType: cfgType, Digest: sha256Hash(cfg), Size: int64(len(cfg))}}
	for _, rec := range recs {
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: layerType, Digest: rec.Digest, Size: rec.Size})
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, "", fmt.Errorf("encode manifest: %w", err)
	}
	return b, mt, nil
}

func mustHash(s string) v1.Hash {
	h, err := v1.NewHash(s)
	if err != nil {
		return v1.Hash{Algorithm: "sha256", Hex: "invalid"}
	}
	return h
}

// pushImage is partial.CompressedImageCore over the store's blobs.
type pushImage struct {
	s     *Store
	cfg   []byte
	man   []byte
	mt    types.MediaType
	blobs map[v1.Hash]blobRecord
}

func (i *pushImage) RawConfigFile() ([]byte, error)      { return i.cfg, nil }
func (i *pushImage) MediaType() (types.MediaType, error) { return i.mt, nil }
func (i *pushImage) RawManifest() ([]byte, error)        { return i.man, nil }

func (i *pushImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	rec, ok := i.blobs[h]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", h, ErrNotFound)
	}
	mt := types.OCILayer
	if i.mt == types.DockerManifestSchema2 {
		mt = types.DockerLayer
	}
	return &blobLayer{path: i.s.blobPath(h), rec: rec, mt: mt}, nil
}

// blobLayer is a kept gzip layer blob.
type blobLayer struct {
	path string
	rec  blobRecord
	mt   types.MediaType
}

func (l *blobLayer) Digest() (v1.Hash, error)            { return l.rec.Digest, nil }
func (l *blobLayer) Size() (int64, error)                { return l.rec.Size, nil }
func (l *blobLayer) MediaType() (types.MediaType, error) { return l.mt, nil }
func (l *blobLayer) Compressed() (io.ReadCloser, error)  { return os.Open(l.path) }

// pushObserver reports, from the registry's answers, what became of each layer blob:
// present already (HEAD 200), mounted from another repository, or uploaded.
type pushObserver struct {
	rt     http.RoundTripper
	p      *progress
	order  []string
	mu     sync.Mutex
	layers map[string]bool // digests of the layer blobs (the config is not reported) -> reported
}

func (o *pushObserver) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.rt.RoundTrip(req)
	if err != nil || o.p == nil {
		return resp, err
	}
	q := req.URL.Query()
	switch {
	case req.Method == http.MethodHead && resp.StatusCode == http.StatusOK && strings.Contains(req.URL.Path, "/blobs/"):
		o.report(req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:], "Layer already exists")
	case req.Method == http.MethodPost && resp.StatusCode == http.StatusCreated && q.Get("mount") != "":
		o.report(q.Get("mount"), "Mounted from "+q.Get("from"))
	case req.Method == http.MethodPut && resp.StatusCode == http.StatusCreated && q.Get("digest") != "":
		o.report(q.Get("digest"), "Pushed")
	}
	return resp, nil
}

func (o *pushObserver) report(digest, what string) {
	o.mu.Lock()
	reported, ok := o.layers[digest]
	o.layers[digest] = true
	o.mu.Unlock()
	if h, err := v1.NewHash(digest); err == nil && ok && !reported {
		o.p.done(h, what)
	}
}

// rest reports what for every layer not reported yet, in manifest order.
func (o *pushObserver) rest(what string) {
	for _, d := range o.order {
		o.report(d, what)
	}
}
