package builder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-dev/berth/builder/buildcontext"
	"github.com/berth-dev/berth/builder/dockerfile"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// PullPolicy says when FROM and COPY --from fetch an image from its registry.
type PullPolicy string

// The pull policies, named as Compose's `pull_policy`.
const (
	PullMissing PullPolicy = "missing" // pull only images not in the store (the default)
	PullAlways  PullPolicy = "always"  // pull every base image (`--pull`)
	PullNever   PullPolicy = "never"   // use only the store
)

// ErrInvalid reports bad Options.
var ErrInvalid = errors.New("invalid build options")

// Options describe one build.
type Options struct {
	// ContextDir is the build context directory.
	ContextDir string
	// Dockerfile is the Dockerfile's path, relative to ContextDir unless absolute;
	// "Dockerfile" when empty. Ignored when DockerfileInline is set.
	Dockerfile string
	// DockerfileInline is the Dockerfile's content, used instead of a file.
	DockerfileInline string
	// BuildArgs are --build-arg values.
	BuildArgs map[string]string
	// Target is the stage to build; empty means the last.
	Target string
	// Secrets are the files RUN --mount=type=secret,id=ID reads, by ID; their
	// content never lands in a layer or a cache key.
	Secrets map[string]string
	// NamedContexts are Compose's additional_contexts: a name that FROM, COPY --from
	// and RUN --mount from= use instead of an image or a stage, standing for
	// "docker-image://REF" (that image) or an absolute directory (COPY --from and
	// RUN --mount only; its files keep no owner, as the build context's).
	NamedContexts map[string]string
	// Network is RUN's network: "", "default" or "host" share the host's (see
	// run); "none" gives a namespace with only lo (Compose's build.network).
	Network string
	// ExtraHosts are lines ("IP NAME") added to RUN's /etc/hosts (build.extra_hosts).
	ExtraHosts []string
	// ShmSize is the size of RUN's /dev/shm in bytes; 0 means 64 MiB (build.shm_size).
	ShmSize int64
	// Ulimits are RUN's rlimits (build.ulimits).
	Ulimits []engine.Ulimit
	// Privileged runs RUN with every capability and device, unconfined (build.privileged).
	Privileged bool
	// Labels are added to the final image's config.
	Labels map[string]string
	// NoCache runs every instruction again (results still refresh the cache).
	NoCache bool
	// Pull is the pull policy for base images; empty means PullMissing.
	Pull PullPolicy
	// Tags name the final image ("app", "registry:5000/app:1").
	Tags []string
	// Progress receives the plain progress output; nil discards it.
	Progress io.Writer
	// Store holds base images, the new layers and image, and the layer cache.
	Store *image.Store
	// Engine runs RUN instructions; only needed when a RUN is not cached.
	Engine *engine.Engine
}

// StepError is the failure of one Dockerfile instruction. It prints as
// `Dockerfile:LINE: message` and unwraps to the cause.
type StepError struct {
	File string
	Line int
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

type builder struct {
	opts   Options
	file   string // the Dockerfile's name in errors
	cache  *cache
	prog   *progress
	bctx   *buildcontext.Context
	images map[string]*state // base images resolved during this build, by reference
}

// Build builds the target stage of the Dockerfile and stores the result as an image
// tagged with opts.Tags, returning its ID ("sha256:..."). An instruction that fails
// yields a *StepError (or a *dockerfile.Error for a malformed file) naming its line;
// a RUN that exits non-zero unwraps to a *RunError. Every container Build starts is
// removed before it returns, on success or failure.
func Build(ctx context.Context, opts Options) (string, error) {
	if opts.Store == nil {
		return "", fmt.Errorf("build: no image store: %w", ErrInvalid)
	}
	if opts.Pull == "" {
		opts.Pull = PullMissing
	}
	if n := opts.Network; n != "" && n != "default" && n != "host" && n != "none" {
		return "", fmt.Errorf("build: network %q: want default, host or none: %w", n, ErrInvalid)
	}
	if opts.Pull != PullMissing && opts.Pull != PullAlways && opts.Pull != PullNever {
		return "", fmt.Errorf("build: pull policy %q: want missing, always or never: %w", opts.Pull, ErrInvalid)
	}
	w := opts.Progress
	if w == nil {
		w = io.Discard
	}
	c, err := openCache(opts.Store)
	if err != nil {
		return "", err
	}
	b := &builder{opts: opts, cache: c, prog: &progress{w: w}, images: map[string]*state{}}
	df, target, err := b.parse(ctx)
	if err != nil {
		return "", err
	}
	states := map[int]*state{}
	for _, i := range df.Needed(target) {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("build: %w", err)
		}
		st, err := b.stage(ctx, df.Stages[i], states)
		if err != nil {
			return "", err
		}
		states[i] = st
	}
	return b.export(states[target.Index])
}

// parse reads and parses the Dockerfile, resolves the base images of the stages
// the target needs and parses again with their ENV (variables expand with the
// base image's environment, as in Docker), and opens the build context.
func (b *builder) parse(ctx context.Context) (*dockerfile.Dockerfile, *dockerfile.Stage, error) {
	name := b.opts.Dockerfile
	if name == "" {
		name = "Dockerfile"
	}
	b.file = name
	step := b.prog.step("[internal] load build definition from %s", filepath.Base(name))
	data, err := b.readDockerfile(name)
	if err != nil {
		step.fail(err)
		return nil, nil, err
	}
	df, target, err := b.parseWithBases(ctx, data)
	if err != nil {
		step.fail(err)
		return nil, nil, err
	}
	rel := name
	if filepath.IsAbs(name) {
		abs, _ := filepath.Abs(b.opts.ContextDir)
		if r, err := filepath.Rel(abs, name); err == nil && !strings.HasPrefix(r, "..") {
			rel = r
		} else {
			rel = filepath.Base(name)
		}
	}
	if b.bctx, err = buildcontext.Open(b.opts.ContextDir, rel); err != nil {
		step.fail(err)
		return nil, nil, fmt.Errorf("build: %w", err)
	}
	step.done()
	return df, target, nil
}

func (b *builder) readDockerfile(name string) ([]byte, error) {
	if b.opts.DockerfileInline != "" {
		b.file = "Dockerfile"
		return []byte(b.opts.DockerfileInline), nil
	}
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(b.opts.ContextDir, p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("build: read Dockerfile: %w", err)
	}
	return data, nil
}

// parseWithBases parses data twice: first to learn which base images the target
// needs, then, once those are resolved (b.image), with their ENV. Stages the
// target does not need resolve nothing (BuildKit skips them too).
func (b *builder) parseWithBases(ctx context.Context, data []byte) (*dockerfile.Dockerfile, *dockerfile.Stage, error) {
	opts := dockerfile.Options{Filename: b.file, BuildArgs: b.opts.BuildArgs}
	for pass := 0; ; pass++ {
		df, err := dockerfile.Parse(bytes.NewReader(data), opts)
		if err != nil {
			return nil, nil, err
		}
		target, err := df.Target(b.opts.Target)
		if err != nil || pass == 1 {
			return df, target, err
		}
		opts.BaseEnv = map[string][]string{}
		for _, i := range df.Needed(target) {
			s := df.Stages[i]
			if s.BaseStage != nil || strings.EqualFold(s.Base, "scratch") {
				continue
			}
			st, err := b.image(ctx, s.Base)
			if err != nil {
				return nil, nil, &StepError{File: b.file, Line: s.Line, Err: err}
			}
			opts.BaseEnv[s.Base] = st.cfg.Config.Env
		}
	}
}

func (b *builder) stepErr(in *dockerfile.Instruction, err error) error {
	var de *dockerfile.Error
	if errors.As(err, &de) {
		return err
	}
	return &StepError{File: b.file, Line: in.Line, Err: err}
}

// touchesFS reports whether an instruction may change the filesystem and so is a
// numbered step with its own progress lines.
func touchesFS(in *dockerfile.Instruction) bool {
	switch in.Cmd {
	case "run", "copy", "add", "workdir":
		return true
	}
	return false
}

// stage builds one stage on top of its base.
func (b *builder) stage(ctx context.Context, s *dockerfile.Stage, states map[int]*state) (*state, error) {
	name := s.Name
	if name == "" {
		name = fmt.Sprintf("stage-%d", s.Index)
	}
	total := 1
	for _, in := range s.Instructions {
		if touchesFS(in) {
			total++
		}
	}
	from := b.prog.step("[%s 1/%d] FROM %s", name, total, s.Base)
	st, err := b.base(ctx, s, states)
	if err != nil {
		from.fail(err)
		return nil, &StepError{File: b.file, Line: s.Line, Err: err}
	}
	from.done()
	k := 1
	for _, in := range s.Instructions {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		handled, err := applyConfig(st, in)
		if err != nil {
			return nil, b.stepErr(in, err)
		}
		if handled {
			st.history(in, true)
			continue
		}
		k++
		step := b.prog.step("[%s %d/%d] %s", name, k, total, in.Original)
		cached, layer, err := b.exec(ctx, st, in, step, states)
		if err != nil {
			step.fail(err)
			return nil, b.stepErr(in, err)
		}
		st.history(in, !layer)
		if cached {
			step.cached()
		} else {
			step.done()
		}
	}
	return st, nil
}

// exec runs an instruction that may change the filesystem. It reports whether the
// result came from the cache and whether it added a layer.
func (b *builder) exec(ctx context.Context, st *state, in *dockerfile.Instruction, step *step, states map[int]*state) (cached, layer bool, err error) {
	switch in.Cmd {
	case "workdir":
		layer, err = b.workdir(st)
		return false, layer, err
	case "copy", "add":
		return b.copy(ctx, st, in, states)
	case "run":
		return b.run(ctx, st, in, step, states)
	}
	return false, false, fmt.Errorf("%s: %w", strings.ToUpper(in.Cmd), dockerfile.ErrUnsupported)
}

// cached looks key up (unless NoCache) and applies a hit to st; layer reports
// whether the hit added a layer.
func (b *builder) cached(st *state, key string) (hit, layer bool) {
	if b.opts.NoCache {
		return false, false
	}
	e, ok := b.cache.get(key)
	if !ok {
		return false, false
	}
	b.apply(st, key, e)
	return true, e.Layer != nil
}

// apply adds a cache entry's result to st.
func (b *builder) apply(st *state, key string, e *cacheEntry) {
	if e.Layer != nil {
		st.addLayer(*e.Layer, b.opts.Store.LayerDir(e.Layer.Digest))
	}
	st.cfg.Created = v1.Time{Time: e.Created}
	st.key = key
}

// record stores the result of a step in the cache and applies it to st.
func (b *builder) record(st *state, key string, layer *v1.Descriptor) error {
	e := &cacheEntry{Layer: layer, Created: time.Now().UTC().Truncate(time.Second)}
	if err := b.cache.put(key, e); err != nil {
		return err
	}
	b.apply(st, key, e)
	return nil
}

// export stores the final state as the image and names it.
func (b *builder) export(st *state) (string, error) {
	step := b.prog.step("exporting to image")
	cfg := *st.cfg.DeepCopy()
	if len(b.opts.Labels) > 0 && cfg.Config.Labels == nil {
		cfg.Config.Labels = map[string]string{}
	}
	for k, v := range b.opts.Labels {
		cfg.Config.Labels[k] = v
	}
	img, err := b.opts.Store.AddImage(&cfg, st.layers, b.opts.Tags)
	if err != nil {
		step.fail(err)
		return "", fmt.Errorf("build: %w", err)
	}
	step.printf("writing image %s done", img.ID)
	for _, t := range img.RepoTags {
		for _, want := range b.opts.Tags {
			if n, _ := image.NormalizeRef(want); n == t {
				step.printf("naming to %s done", t)
			}
		}
	}
	step.done()
	return img.ID, nil
}
