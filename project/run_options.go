package project

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
)

// oneoffService is the service as `run` creates it: the flags applied over the
// service's config, no restart policy, no container_name, stdin open and a TTY as the
// caller's stdin allows (runStdinOpen, runTTY), and its own ports only with ServicePorts.
func oneoffService(p *compose.Project, svc compose.ServiceConfig, opts RunOptions) (compose.ServiceConfig, error) {
	if opts.Name != "" {
		if err := compose.CheckName("container", opts.Name); err != nil {
			return svc, fmt.Errorf("run --name: %w", err)
		}
	}
	svc.ContainerName, svc.Restart, svc.Tty, svc.StdinOpen = "", "", runTTY(opts), runStdinOpen(opts)
	if svc.Deploy != nil {
		d := *svc.Deploy
		d.RestartPolicy = nil
		svc.Deploy = &d
	}
	if opts.Entrypoint != nil {
		svc.Entrypoint = opts.Entrypoint
		svc.Command = compose.ShellCommand{} // the service's command belonged to its entrypoint
	}
	if len(opts.Cmd) > 0 {
		svc.Command = opts.Cmd
	}
	if opts.User != "" {
		svc.User = opts.User
	}
	if opts.WorkingDir != "" {
		svc.WorkingDir = opts.WorkingDir
	}
	svc.Environment = runEnvironment(svc.Environment, opts.Env, p.Env)
	svc.CapAdd, svc.CapDrop = runCapabilities(svc.CapAdd, svc.CapDrop, opts.CapAdd, opts.CapDrop)
	if len(opts.Labels) > 0 {
		svc.Labels = maps.Clone(svc.Labels)
		if svc.Labels == nil {
			svc.Labels = compose.Labels{}
		}
		maps.Copy(svc.Labels, opts.Labels)
	}
	if !opts.ServicePorts {
		svc.Ports = nil
	}
	svc.Ports = append([]compose.ServicePortConfig(nil), svc.Ports...)
	for _, s := range opts.Publish {
		pc, err := parsePublish(s)
		if err != nil {
			return svc, err
		}
		svc.Ports = append(svc.Ports, pc)
	}
	svc.Volumes = append([]compose.ServiceVolumeConfig(nil), svc.Volumes...)
	for _, s := range opts.Volumes {
		vc, err := parseRunVolume(p, s)
		if err != nil {
			return svc, err
		}
		svc.Volumes = append(svc.Volumes, vc)
	}
	return svc, nil
}

// runEnvironment is the service's environment overridden by -e: KEY=VAL sets, a bare
// KEY takes the project environment's value, or leaves the service's when it has none.
func runEnvironment(env compose.MappingWithEquals, flags []string, projectEnv map[string]string) compose.MappingWithEquals {
	out := maps.Clone(env)
	if out == nil {
		out = compose.MappingWithEquals{}
	}
	for _, kv := range flags {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			if v, ok = projectEnv[k]; !ok {
				continue
			}
		}
		out[k] = &v
	}
	return out
}

// runCapabilities are the service's capabilities with --cap-add and --cap-drop, as
// Compose applies them: an added one leaves cap_drop, a dropped one leaves cap_add
// (so --cap-drop wins over --cap-add of the same capability).
func runCapabilities(add, drop, addFlags, dropFlags []string) ([]string, []string) {
	if len(addFlags) > 0 {
		add = append(slices.Clone(add), addFlags...)
		drop = slices.DeleteFunc(slices.Clone(drop), func(c string) bool { return slices.Contains(addFlags, c) })
	}
	if len(dropFlags) > 0 {
		drop = append(slices.Clone(drop), dropFlags...)
		add = slices.DeleteFunc(slices.Clone(add), func(c string) bool { return slices.Contains(dropFlags, c) })
	}
	return add, drop
}

// parsePublish parses `run -p`: [HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[/PROTOCOL].
func parsePublish(spec string) (compose.ServicePortConfig, error) {
	bad := func(why string) (compose.ServicePortConfig, error) {
		return compose.ServicePortConfig{}, fmt.Errorf("-p %q: %s: %w", spec, why, ErrInvalid)
	}
	rest, proto, _ := strings.Cut(spec, "/")
	if proto == "" {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return bad("protocol must be tcp, udp or sctp")
	}
	pc := compose.ServicePortConfig{Mode: "ingress", Protocol: proto}
	parts := strings.Split(rest, ":")
	var target string
	switch len(parts) {
	case 1:
		target = parts[0]
	case 2:
		pc.Published, target = parts[0], parts[1]
	case 3:
		pc.HostIP, pc.Published, target = parts[0], parts[1], parts[2]
	default:
		return bad("want [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]")
	}
	n, err := strconv.ParseUint(target, 10, 16)
	if err != nil || n == 0 {
		return bad(fmt.Sprintf("container port %q is not a port number", target))
	}
	pc.Target = uint32(n)
	if pc.Published != "" {
		lo, hi, isRange := strings.Cut(pc.Published, "-")
		for _, s := range []string{lo, hi} {
			if _, err := strconv.ParseUint(s, 10, 16); err != nil && (s != "" || isRange) {
				return bad(fmt.Sprintf("host port %q is not a port number or range", pc.Published))
			}
		}
	}
	return pc, nil
}

// parseRunVolume parses `run -v`: SOURCE:TARGET[:OPTIONS]. A source that is a path
// (absolute, ./, ../ or ~) is a bind mount, relative to the project directory; any other
// source names a volume of the project. OPTIONS are comma separated; ro makes it read-only.
func parseRunVolume(p *compose.Project, spec string) (compose.ServiceVolumeConfig, error) {
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" {
		return compose.ServiceVolumeConfig{}, fmt.Errorf("-v %q: want SOURCE:TARGET[:ro] (anonymous volumes are not supported): %w", spec, ErrInvalid)
	}
	src, target := parts[0], parts[1]
	if !filepath.IsAbs(target) {
		return compose.ServiceVolumeConfig{}, fmt.Errorf("-v %q: target %q is not an absolute path: %w", spec, target, ErrInvalid)
	}
	vc := compose.ServiceVolumeConfig{Type: "bind", Source: src, Target: filepath.Clean(target)}
	if len(parts) == 3 {
		for _, o := range strings.Split(parts[2], ",") {
			vc.ReadOnly = vc.ReadOnly || o == "ro"
		}
	}
	switch {
	case strings.HasPrefix(src, "~"):
		home, err := os.UserHomeDir()
		if err != nil {
			return vc, fmt.Errorf("-v %q: %w", spec, err)
		}
		vc.Source = filepath.Join(home, src[1:])
	case filepath.IsAbs(src):
		vc.Source = filepath.Clean(src)
	case src == "." || src == ".." || strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../"):
		vc.Source = filepath.Join(p.WorkingDir, src)
	default:
		if _, ok := p.Volumes[src]; !ok {
			return vc, fmt.Errorf("-v %q: volume %q is not declared in the project's volumes: %w", spec, src, ErrNotFound)
		}
		vc.Type = "volume"
	}
	return vc, nil
}

// ParseCommand splits a command line as a POSIX shell would, without expansions:
// words separated by blanks, single quotes literal, double quotes and backslashes
// escaping. It is how `run --entrypoint` takes its value.
func ParseCommand(s string) ([]string, error) {
	out := []string{}
	var cur strings.Builder
	inWord, quote := false, rune(0)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == '\'' && r != '\'', quote == '"' && r != '"' && r != '\\':
			cur.WriteRune(r)
		case r == '\\' && quote != '\'':
			if i++; i == len(rs) {
				return nil, fmt.Errorf("command %q: trailing backslash: %w", s, ErrInvalid)
			}
			cur.WriteRune(rs[i])
			inWord = true
		case quote != 0:
			quote = 0 // the closing quote
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("command %q: unterminated %c quote: %w", s, quote, ErrInvalid)
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}
