package builder

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/builder/dockerfile"
	"github.com/berth-dev/berth/engine"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// state is the image a stage has built so far.
type state struct {
	cfg    v1.ConfigFile
	layers []v1.Descriptor // manifest descriptors, one per cfg.RootFS.DiffIDs entry
	dirs   []string        // unpacked layer dirs, base first
	args   map[string]string
	// key chains the layer cache: the base image ID (or "scratch"), then the
	// cache key of each instruction that may change the filesystem.
	key string
	// cmdSet: this stage set CMD, so a later ENTRYPOINT keeps it.
	cmdSet bool
	// localDir: a named context that is a directory (dirs[0]), not an image.
	localDir bool
}

func (st *state) fs() layerFS { return layerFS{dirs: engine.TopmostLayers(st.dirs)} }

// clone returns a deep copy of st that a later stage may change.
func (st *state) clone() *state {
	c := &state{cfg: *st.cfg.DeepCopy(), key: st.key, args: map[string]string{}}
	c.layers = append([]v1.Descriptor(nil), st.layers...)
	c.dirs = append([]string(nil), st.dirs...)
	return c
}

// addLayer appends a stored layer to st.
func (st *state) addLayer(desc v1.Descriptor, dir string) {
	st.layers = append(st.layers, desc)
	st.dirs = append(st.dirs, dir)
	st.cfg.RootFS.Type = "layers"
	st.cfg.RootFS.DiffIDs = append(st.cfg.RootFS.DiffIDs, desc.Digest)
}

// history records in as the next history entry of the image.
func (st *state) history(in *dockerfile.Instruction, emptyLayer bool) {
	st.cfg.History = append(st.cfg.History, v1.History{
		Created:    st.cfg.Created,
		CreatedBy:  in.Original,
		Comment:    "berth build",
		EmptyLayer: emptyLayer,
	})
}

// workdir returns the absolute path p means after WORKDIR dir (relative paths are
// relative to it).
func workdir(dir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	if dir == "" {
		dir = "/"
	}
	return path.Join(dir, p)
}

// setEnv replaces KEY's entry of env in place, or appends it.
func setEnv(env []string, key, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			out := append([]string(nil), env...)
			out[i] = key + "=" + value
			return out
		}
	}
	return append(append([]string(nil), env...), key+"="+value)
}

// applyConfig applies an instruction that only changes the image config (or, for
// ARG, the build-time variables). It reports false for instructions that touch the
// filesystem (RUN, COPY, ADD, WORKDIR's directory), which it leaves alone except for
// WORKDIR's config change.
func applyConfig(st *state, in *dockerfile.Instruction) (bool, error) {
	c := &st.cfg.Config
	switch in.Cmd {
	case "arg":
		for _, kv := range in.KeyValues {
			if kv.Set {
				st.args[kv.Key] = kv.Value
			} else {
				delete(st.args, kv.Key)
			}
		}
	case "env":
		for _, kv := range in.KeyValues {
			c.Env = setEnv(c.Env, kv.Key, kv.Value)
		}
	case "label":
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		for _, kv := range in.KeyValues {
			c.Labels[kv.Key] = kv.Value
		}
	case "workdir":
		c.WorkingDir = workdir(c.WorkingDir, in.Value)
		return false, nil
	case "user":
		c.User = in.Value
	case "stopsignal":
		c.StopSignal = in.Value
	case "cmd":
		c.Cmd = append([]string{}, in.Command.Args...)
		st.cmdSet = true
	case "entrypoint":
		c.Entrypoint = append([]string{}, in.Command.Args...)
		if !st.cmdSet {
			c.Cmd = nil // Docker: ENTRYPOINT resets a CMD inherited from the base
		}
	case "shell":
		c.Shell = append([]string(nil), in.Command.Args...)
	case "expose":
		return true, expose(c, in.Ports)
	case "volume":
		if c.Volumes == nil {
			c.Volumes = map[string]struct{}{}
		}
		for _, v := range in.Volumes {
			c.Volumes[v] = struct{}{}
		}
	case "healthcheck":
		h, err := healthConfig(in.Health)
		if err != nil {
			return true, err
		}
		c.Healthcheck = h
	default:
		return false, nil
	}
	return true, nil
}

// expose adds ports ("80", "80/udp", "8000-8002/tcp") to c.ExposedPorts, one key
// per port as Docker stores them.
func expose(c *v1.Config, ports []string) error {
	if c.ExposedPorts == nil {
		c.ExposedPorts = map[string]struct{}{}
	}
	for _, p := range ports {
		spec, proto, _ := strings.Cut(p, "/")
		if proto == "" {
			proto = "tcp"
		}
		lo, hi, isRange := strings.Cut(spec, "-")
		if !isRange {
			hi = lo
		}
		first, err1 := strconv.Atoi(lo)
		last, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || first < 1 || last > 65535 || first > last {
			return fmt.Errorf("EXPOSE %s: invalid port or range", p)
		}
		for n := first; n <= last; n++ {
			c.ExposedPorts[strconv.Itoa(n)+"/"+proto] = struct{}{}
		}
	}
	return nil
}

func healthConfig(h *dockerfile.Healthcheck) (*v1.HealthConfig, error) {
	if h.StartInterval != "" {
		return nil, fmt.Errorf("HEALTHCHECK --start-interval: %w: the OCI image config has no field for it", dockerfile.ErrUnsupported)
	}
	out := &v1.HealthConfig{Test: append([]string(nil), h.Test...), Retries: h.Retries}
	for _, d := range []struct {
		s   string
		dst *time.Duration
	}{{h.Interval, &out.Interval}, {h.Timeout, &out.Timeout}, {h.StartPeriod, &out.StartPeriod}} {
		if d.s == "" {
			continue
		}
		v, err := time.ParseDuration(d.s)
		if err != nil {
			return nil, fmt.Errorf("HEALTHCHECK duration %q: %w", d.s, err)
		}
		*d.dst = v
	}
	return out, nil
}

// runEnv is the environment of a RUN: the image's ENV, then the stage's ARG values
// that ENV does not override, sorted for a stable cache key.
func runEnv(st *state) (image []string, args []string) {
	image = append([]string(nil), st.cfg.Config.Env...)
	set := map[string]bool{}
	for _, kv := range image {
		k, _, _ := strings.Cut(kv, "=")
		set[k] = true
	}
	for k, v := range st.args {
		if !set[k] {
			args = append(args, k+"="+v)
		}
	}
	slices.Sort(args)
	return image, args
}
