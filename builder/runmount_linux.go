package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/builder/dockerfile"
	"github.com/berth-dev/berth/engine"
	"golang.org/x/sys/unix"
)

// RUN --mount, as BuildKit runs it:
//
//	bind    the build context (default), an earlier stage or an image, at source=
//	        (default its root); read-only unless rw, and then writes are discarded
//	        (an overlay with a throw-away upper dir). Its content keys the RUN's cache.
//	cache   a directory kept between builds in images/buildcache/mounts/, one per id=
//	        (default the target), made with mode=/uid=/gid= (0755, root); sharing=
//	        locked or private takes an exclusive lock for the RUN (private does not
//	        make a second directory as BuildKit does: the RUN waits instead).
//	tmpfs   an empty tmpfs (size=).
//	secret  the build's secret id= (Options.Secrets), a copy with mode= (0400),
//	        uid=, gid= in a private temporary directory, or with env= (and no
//	        target=) only that environment variable; a missing one fails only with
//	        required. Secrets are not part of the cache key.
//
// Nothing of a mount lands in the RUN's layer: the mountpoints the engine had to make
// are left out of it like /proc and /etc/hosts (mountArtifacts).

// mountInputs is what the RUN's bind mounts read, for its cache key: the context
// sources' content hash, a stage's cache chain or an image's ID.
func (b *builder) mountInputs(ctx context.Context, in *dockerfile.Instruction, states map[int]*state) (string, error) {
	var parts []string
	for _, m := range in.Mounts {
		if m.Type != "bind" {
			continue
		}
		switch {
		case m.FromStage != nil:
			parts = append(parts, "stage:"+states[*m.FromStage].key)
		case m.From != "":
			st, err := b.image(ctx, m.From)
			if err != nil {
				return "", fmt.Errorf("RUN --mount from=%s: %w", m.From, err)
			}
			parts = append(parts, "image:"+st.key)
		default:
			srcs, err := b.bctx.Resolve(firstNonEmpty(m.Source, "."))
			if err != nil {
				return "", fmt.Errorf("RUN --mount source=%s: %w", m.Source, err)
			}
			h, err := b.bctx.Hash(srcs)
			if err != nil {
				return "", fmt.Errorf("RUN --mount source=%s: %w", m.Source, err)
			}
			parts = append(parts, "context:"+h)
		}
	}
	return strings.Join(parts, "\n"), nil
}

// runMounts prepares the RUN's mounts and adds their targets (and the parents the
// image lacks) to artifacts. The cleanup, always non-nil, undoes what was made on
// the host (overlay views, secret copies, cache locks).
func (b *builder) runMounts(ctx context.Context, st *state, in *dockerfile.Instruction, states map[int]*state, artifacts map[string]bool) (mounts []engine.Mount, env []string, _ func(), _ error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	var out []engine.Mount
	lower := st.fs()
	for _, m := range in.Mounts {
		if m.Type == "secret" && m.Env != "" {
			kv, err := b.secretEnv(m)
			if err != nil {
				cleanup()
				return nil, nil, func() {}, fmt.Errorf("RUN --mount=type=secret,env=%s: %w", m.Env, err)
			}
			if kv != "" {
				env = append(env, kv)
			}
			if m.Target == "" {
				continue
			}
		}
		target := workdir(st.cfg.Config.WorkingDir, m.Target)
		em, undo, err := b.runMount(ctx, m, target, states)
		if undo != nil {
			cleanups = append(cleanups, undo)
		}
		if err != nil {
			cleanup()
			return nil, nil, func() {}, fmt.Errorf("RUN --mount=type=%s,target=%s: %w", m.Type, m.Target, err)
		}
		if em == nil { // an optional secret the build lacks
			continue
		}
		out = append(out, *em)
		for p := strings.TrimPrefix(target, "/"); p != "." && p != ""; p = path.Dir(p) {
			if _, err := lower.lstat(p); err != nil {
				artifacts[p] = true
			}
		}
	}
	return out, env, cleanup, nil
}

// secretEnv returns "ENV=content" of the build's secret m.ID for the RUN's
// environment (never in the cache key), "" when the build lacks an optional one.
func (b *builder) secretEnv(m dockerfile.RunMount) (string, error) {
	src, ok := b.opts.Secrets[m.ID]
	if !ok {
		if m.Required {
			return "", fmt.Errorf("secret %q: the build has no such secret: %w", m.ID, ErrInvalid)
		}
		return "", nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("secret %q: %w", m.ID, err)
	}
	return m.Env + "=" + string(data), nil
}

func (b *builder) runMount(ctx context.Context, m dockerfile.RunMount, target string, states map[int]*state) (*engine.Mount, func(), error) {
	switch m.Type {
	case "tmpfs":
		return &engine.Mount{Type: "tmpfs", Target: target, Size: m.Size}, nil, nil
	case "cache":
		return b.cacheMount(m, target)
	case "secret":
		return b.secretMount(m, target)
	}
	return b.bindMount(ctx, m, target, states)
}

// cacheMount returns the persistent directory of m.ID, made on first use.
func (b *builder) cacheMount(m dockerfile.RunMount, target string) (*engine.Mount, func(), error) {
	sum := sha256.Sum256([]byte(m.ID))
	root := filepath.Join(b.cache.dir, "mounts")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, nil, err
	}
	dir := filepath.Join(root, hex.EncodeToString(sum[:]))
	var undo func()
	if m.Sharing != "shared" {
		lock, err := os.OpenFile(dir+".lock", os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return nil, nil, err
		}
		if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
			lock.Close()
			return nil, nil, fmt.Errorf("lock cache %q: %w", m.ID, err)
		}
		undo = func() { lock.Close() }
	}
	if err := ensureCacheDir(dir, m); err != nil {
		return nil, undo, err
	}
	return &engine.Mount{Type: "bind", Source: dir, Target: target, ReadOnly: !m.ReadWrite}, undo, nil
}

// ensureCacheDir makes dir with m's mode and owner unless it exists; it is made
// under a temporary name and renamed, so that a half-made one is never used.
func ensureCacheDir(dir string, m dockerfile.RunMount) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".new-")
	if err != nil {
		return err
	}
	mode, uid, gid := mountOwner(m, 0o755)
	err = unix.Chmod(tmp, mode)
	if err == nil {
		err = os.Lchown(tmp, uid, gid)
	}
	if err == nil {
		err = os.Rename(tmp, dir)
	}
	if err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(dir); serr == nil { // made by a concurrent build
			return nil
		}
		return err
	}
	return nil
}

// secretMount copies the build's secret m.ID into a private temporary directory with
// m's mode and owner and binds it read-only.
func (b *builder) secretMount(m dockerfile.RunMount, target string) (*engine.Mount, func(), error) {
	src, ok := b.opts.Secrets[m.ID]
	if !ok {
		if m.Required {
			return nil, nil, fmt.Errorf("secret %q: the build has no such secret: %w", m.ID, ErrInvalid)
		}
		return nil, nil, nil
	}
	dir, err := os.MkdirTemp("", "berth-secret-")
	if err != nil {
		return nil, nil, err
	}
	undo := func() { os.RemoveAll(dir) }
	mode, uid, gid := mountOwner(m, 0o400)
	dst := filepath.Join(dir, "secret")
	if err := copyFile(src, dst, os.FileMode(mode), uid, gid); err != nil {
		return nil, undo, fmt.Errorf("secret %q: %w", m.ID, err)
	}
	return &engine.Mount{Type: "bind", Source: dst, Target: target, ReadOnly: true}, undo, nil
}

func copyFile(src, dst string, mode os.FileMode, uid, gid int) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Chown(uid, gid); err != nil {
		out.Close()
		return err
	}
	if err := out.Chmod(mode); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// bindMount binds m.Source of the context, a stage or an image. A read-write bind
// gets an overlay with a throw-away upper dir, so that no write reaches its source.
func (b *builder) bindMount(ctx context.Context, m dockerfile.RunMount, target string, states map[int]*state) (*engine.Mount, func(), error) {
	var dirs []string
	src := firstNonEmpty(m.Source, "/")
	switch {
	case m.FromStage != nil:
		dirs = states[*m.FromStage].dirs
	case m.From != "":
		st, err := b.image(ctx, m.From)
		if err != nil {
			return nil, nil, err
		}
		dirs = st.dirs
	default:
		srcs, err := b.bctx.Resolve(firstNonEmpty(m.Source, "."))
		if err != nil {
			return nil, nil, err
		}
		if len(srcs) != 1 {
			return nil, nil, fmt.Errorf("source %q matches %d paths, want one: %w", m.Source, len(srcs), ErrInvalid)
		}
		if !srcs[0].IsDir {
			return &engine.Mount{Type: "bind", Source: srcs[0].Path, Target: target, ReadOnly: true}, nil, nil
		}
		dirs, src = []string{srcs[0].Path}, "/"
	}
	dirs = engine.TopmostLayers(dirs)
	if len(dirs) == 0 {
		return nil, nil, fmt.Errorf("from=%s has no files: %w", m.From, ErrInvalid)
	}
	view := layerFS{dirs: dirs}
	rel, err := view.resolve(src, true)
	if err != nil {
		return nil, nil, err
	}
	if _, err := view.lstat(rel); err != nil {
		return nil, nil, fmt.Errorf("source %q: %w", m.Source, err)
	}
	root, undo, err := b.overlayView(dirs, m.ReadWrite)
	if err != nil {
		return nil, undo, err
	}
	return &engine.Mount{Type: "bind", Source: filepath.Join(root, filepath.FromSlash(rel)), Target: target, ReadOnly: !m.ReadWrite}, undo, nil
}

// overlayView returns a directory showing dirs (base first) merged: the one
// directory itself when that is all and no writes are wanted, else an overlay
// mounted on the host in a temporary directory of the build cache (with an upper dir
// when rw), which undo unmounts and removes.
func (b *builder) overlayView(dirs []string, rw bool) (string, func(), error) {
	if len(dirs) == 1 && !rw {
		return dirs[0], nil, nil
	}
	tmp, err := os.MkdirTemp(b.cache.dir, "view-")
	if err != nil {
		return "", nil, err
	}
	merged := filepath.Join(tmp, "merged")
	lower := make([]string, len(dirs))
	for i, d := range dirs {
		lower[len(dirs)-1-i] = d
	}
	data := "lowerdir=" + strings.Join(lower, ":")
	if rw { // else a read-only overlay: two lower dirs at least, as here
		data += ",upperdir=" + filepath.Join(tmp, "upper") + ",workdir=" + filepath.Join(tmp, "work")
	}
	for _, d := range []string{merged, filepath.Join(tmp, "upper"), filepath.Join(tmp, "work")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			os.RemoveAll(tmp)
			return "", nil, err
		}
	}
	if err := unix.Mount("overlay", merged, "overlay", 0, data); err != nil {
		os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("mount a view of %d layers: %w", len(dirs), err)
	}
	undo := func() {
		if err := unix.Unmount(merged, unix.MNT_DETACH); err == nil || errors.Is(err, unix.EINVAL) {
			os.RemoveAll(tmp) // never while mounted: that would delete through the overlay
		}
	}
	return merged, undo, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// mountOwner is the mode (defMode unless the mount sets one), uid and gid (root unless
// set) of a cache directory or secret file that a RUN --mount makes.
func mountOwner(m dockerfile.RunMount, defMode uint32) (mode uint32, uid, gid int) {
	mode = defMode
	if m.Mode != nil {
		mode = *m.Mode
	}
	if m.UID != nil {
		uid = *m.UID
	}
	if m.GID != nil {
		gid = *m.GID
	}
	return mode, uid, gid
}
