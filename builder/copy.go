package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/builder/buildcontext"
	"github.com/berth-dev/berth/builder/dockerfile"
)

// copySource is one resolved COPY/ADD source.
type copySource struct {
	name     string // as matched, for messages; its base names a copied file
	hostPath string
	info     fs.FileInfo // the source itself, symlinks followed
	isDir    bool
	archive  bool // ADD of a local tar archive: extracted, not copied
	// entries lists what copying a directory writes, relative to it.
	entries func(fn func(sub, hostPath string, fi fs.FileInfo) error) error
}

// copy runs COPY or ADD.
func (b *builder) copy(ctx context.Context, st *state, in *dockerfile.Instruction, states map[int]*state) (cached, layer bool, err error) {
	c := in.Copy
	upper := strings.ToUpper(in.Cmd)
	for _, s := range c.Sources {
		if isRemote(s) {
			return false, false, fmt.Errorf("%s %s: remote sources are %w: berth builds offline; download the file into the build context", upper, s, dockerfile.ErrUnsupported)
		}
	}
	srcs, inputs, keepOwner, err := b.copySources(ctx, st, in, states)
	if err != nil {
		return false, false, err
	}
	key, err := cacheKey(st.key, in, []string{"workdir=" + st.cfg.Config.WorkingDir}, inputs)
	if err != nil {
		return false, false, err
	}
	if hit, layer := b.cached(st, key); hit {
		return true, layer, nil
	}
	lower := st.fs()
	owner, err := chownIDs(lower, c.Chown)
	if err != nil {
		return false, false, fmt.Errorf("%s --chown=%s: %w", upper, c.Chown, err)
	}
	dest, destIsDir, err := copyDest(lower, st.cfg.Config.WorkingDir, c.Dest, srcs)
	if err != nil {
		return false, false, fmt.Errorf("%s: %w", upper, err)
	}
	desc, err := b.writeLayer(lower, func(t *layerTar) error {
		t.owner = owner
		if c.Chmod != "" {
			m, _ := strconv.ParseUint(c.Chmod, 8, 32)
			mode := fs.FileMode(m)
			t.mode = &mode
		}
		return writeSources(t, srcs, dest, destIsDir, keepOwner)
	})
	if err != nil {
		return false, false, fmt.Errorf("%s: %w", upper, err)
	}
	return false, true, b.record(st, key, &desc)
}

func isRemote(src string) bool {
	for _, p := range []string{"http://", "https://", "git@", "git://"} {
		if strings.HasPrefix(src, p) {
			return true
		}
	}
	return false
}

// copyDest resolves the destination inside the image, following symlinks as Docker
// does, and reports whether it is a directory that the sources go into.
func copyDest(lower layerFS, wd, raw string, srcs []copySource) (string, bool, error) {
	dest := workdir(wd, raw)
	dirHint := strings.HasSuffix(raw, "/") || strings.HasSuffix(raw, "/.") || raw == "." || raw == ".."
	resolved, err := lower.resolve(dest, true)
	if err != nil {
		return "", false, err
	}
	n, err := lower.lstat(resolved)
	exists := err == nil
	isDir := dirHint || (exists && n.info.IsDir())
	for _, s := range srcs {
		if s.isDir || s.archive {
			isDir = true
		}
	}
	if len(srcs) > 1 && !isDir {
		return "", false, fmt.Errorf("copying %d sources to %s: with more than one source the destination must be a directory and end with a /", len(srcs), raw)
	}
	if isDir && exists && !n.info.IsDir() {
		return "", false, fmt.Errorf("destination %s exists and is not a directory", dest)
	}
	return resolved, isDir, nil
}

// writeSources writes every source into the layer.
func writeSources(t *layerTar, srcs []copySource, dest string, destIsDir bool, keepOwner bool) error {
	if destIsDir {
		if err := t.dirs(dest); err != nil {
			return err
		}
	}
	for _, s := range srcs {
		switch {
		case s.archive:
			if err := t.extract(s.hostPath, dest); err != nil {
				return fmt.Errorf("extract %s: %w", s.name, err)
			}
		case s.isDir:
			if err := t.newDir(dest, s.info, keepOwner); err != nil {
				return err
			}
			err := s.entries(func(sub, hostPath string, fi fs.FileInfo) error {
				return t.copied(path.Join(dest, sub), hostPath, fi, keepOwner)
			})
			if err != nil {
				return err
			}
		default:
			target := dest
			if destIsDir {
				target = path.Join(dest, path.Base(s.name))
			}
			if err := t.copied(target, s.hostPath, s.info, keepOwner); err != nil {
				return err
			}
		}
	}
	return nil
}

// copySources resolves the sources of a COPY/ADD in the build context or, with
// --from, in an earlier stage or an image. inputs is a digest of everything the
// copy reads; keepOwner says whether copied files keep their owner.
func (b *builder) copySources(ctx context.Context, st *state, in *dockerfile.Instruction, states map[int]*state) ([]copySource, string, bool, error) {
	c := in.Copy
	if c.From == "" {
		srcs, inputs, err := b.contextSources(in)
		return srcs, inputs, false, err
	}
	var from *state
	if c.FromStage != nil {
		from = states[*c.FromStage]
	} else {
		var err error
		if from, err = b.image(ctx, c.From); err != nil {
			return nil, "", false, fmt.Errorf("COPY --from=%s: %w", c.From, err)
		}
	}
	lower := from.fs()
	var out []copySource
	h := sha256.New()
	fmt.Fprintf(h, "from %s\n", from.key)
	for _, pattern := range c.Sources {
		rel := strings.TrimPrefix(path.Clean("/"+pattern), "/")
		matches, err := lower.glob(rel)
		if err != nil {
			return nil, "", false, fmt.Errorf("COPY --from=%s %s: %w", c.From, pattern, err)
		}
		if len(matches) == 0 {
			return nil, "", false, fmt.Errorf("COPY --from=%s %s: %w", c.From, pattern, fs.ErrNotExist)
		}
		for _, m := range matches {
			n, resolved, err := lower.stat(m)
			if err != nil {
				return nil, "", false, fmt.Errorf("COPY --from=%s %s: %w", c.From, m, err)
			}
			fmt.Fprintf(h, "%d:%s\n", len(m), m)
			s := copySource{name: m, hostPath: n.hostPath, info: n.info, isDir: n.info.IsDir()}
			s.entries = func(fn func(sub, hostPath string, fi fs.FileInfo) error) error {
				return lower.walk(resolved, func(sub string, n node) error { return fn(sub, n.hostPath, n.info) })
			}
			out = append(out, s)
		}
	}
	return out, "sha256:" + hex.EncodeToString(h.Sum(nil)), !from.localDir, nil
}

// contextSources resolves sources in the build context (.dockerignore applied) and
// digests their content.
func (b *builder) contextSources(in *dockerfile.Instruction) ([]copySource, string, error) {
	upper := strings.ToUpper(in.Cmd)
	var out []copySource
	h := sha256.New()
	for _, src := range in.Copy.Sources {
		resolved, err := b.bctx.Resolve(src)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: %w", upper, src, err)
		}
		d, err := b.bctx.Hash(resolved)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: %w", upper, src, err)
		}
		fmt.Fprintf(h, "%d:%s %s\n", len(src), src, d)
		for _, r := range resolved {
			s, err := b.contextSource(in, r)
			if err != nil {
				return nil, "", fmt.Errorf("%s %s: %w", upper, src, err)
			}
			out = append(out, s)
		}
	}
	return out, "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

func (b *builder) contextSource(in *dockerfile.Instruction, r buildcontext.Source) (copySource, error) {
	entries, err := b.bctx.Entries(r)
	if err != nil {
		return copySource{}, err
	}
	s := copySource{name: r.Rel, hostPath: r.Path, isDir: r.IsDir}
	if s.info, err = os.Stat(r.Path); err != nil {
		return copySource{}, err
	}
	if in.Cmd == "add" && !r.IsDir {
		if s.archive, err = isArchive(r.Path); err != nil {
			return copySource{}, err
		}
	}
	s.entries = func(fn func(sub, hostPath string, fi fs.FileInfo) error) error {
		for _, e := range entries {
			if err := fn(e.Rel, e.Path, e.Info); err != nil {
				return err
			}
		}
		return nil
	}
	return s, nil
}

var errNoUser = errors.New("no matching entry")

// chownIDs resolves a --chown value (user[:group], names or numbers) against the
// image's /etc/passwd and /etc/group; "" means no change. A user given alone takes
// its primary group from /etc/passwd (or the same number when it is numeric).
func chownIDs(lower layerFS, spec string) (*[2]int, error) {
	if spec == "" {
		return nil, nil
	}
	userPart, groupPart, hasGroup := strings.Cut(spec, ":")
	uid, gid, err := lookupUser(lower, userPart)
	if err != nil {
		return nil, err
	}
	if hasGroup {
		if gid, err = lookupGroup(lower, groupPart); err != nil {
			return nil, err
		}
	}
	return &[2]int{uid, gid}, nil
}

func lookupUser(lower layerFS, name string) (int, int, error) {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		for _, f := range colonFile(lower, "etc/passwd") {
			if len(f) >= 4 && f[2] == name {
				gid, _ := strconv.Atoi(f[3])
				return n, gid, nil
			}
		}
		return n, n, nil
	}
	for _, f := range colonFile(lower, "etc/passwd") {
		if len(f) >= 4 && f[0] == name {
			uid, err1 := strconv.Atoi(f[2])
			gid, err2 := strconv.Atoi(f[3])
			if err1 == nil && err2 == nil {
				return uid, gid, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("user %q: %w in the image's /etc/passwd", name, errNoUser)
}

func lookupGroup(lower layerFS, name string) (int, error) {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		return n, nil
	}
	for _, f := range colonFile(lower, "etc/group") {
		if len(f) >= 3 && f[0] == name {
			if gid, err := strconv.Atoi(f[2]); err == nil {
				return gid, nil
			}
		}
	}
	return 0, fmt.Errorf("group %q: %w in the image's /etc/group", name, errNoUser)
}

func colonFile(lower layerFS, rel string) [][]string {
	b, err := lower.readFile(rel)
	if err != nil {
		return nil
	}
	var out [][]string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, strings.Split(line, ":"))
		}
	}
	return out
}
