package compose

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"
)

// ports expands every short port form into long-form entries.
func (s *shaper) ports(path string, list []any) []any {
	out := []any{}
	for i, e := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch x := e.(type) {
		case map[string]any:
			if t, ok := x["target"]; ok {
				if n, err := strconv.Atoi(fmt.Sprint(t)); err == nil {
					x["target"] = n
				}
			}
			for k, def := range map[string]string{"mode": "ingress", "protocol": "tcp"} {
				if _, ok := x[k]; !ok {
					x[k] = def
				}
			}
			if proto, ok := x["protocol"].(string); ok && !validProtocol(proto) {
				s.fail(p+".protocol", "invalid protocol %q: expected tcp, udp or sctp", proto)
			}
			if pub, ok := x["published"]; ok && pub != nil {
				x["published"] = fmt.Sprint(pub)
			}
			out = append(out, x)
		case int:
			out = append(out, map[string]any{"mode": "ingress", "target": x, "protocol": "tcp"})
		case string:
			entries, err := parsePort(x)
			if err != nil {
				s.fail(p, "%s", err)
				continue
			}
			out = append(out, entries...)
		default:
			s.fail(p, "invalid port %v: expected a string, a number or a mapping", e)
		}
	}
	return out
}

// validProtocol reports whether proto is a transport Compose accepts for ports.
func validProtocol(proto string) bool {
	switch strings.ToLower(proto) {
	case "tcp", "udp", "sctp":
		return true
	}
	return false
}

// parsePort parses "[host_ip:][published[-end]:]target[-end][/protocol]".
func parsePort(spec string) ([]any, error) {
	rest, proto, _ := strings.Cut(spec, "/")
	if proto != "" && !validProtocol(proto) {
		return nil, fmt.Errorf("invalid port %q: invalid protocol %q: expected tcp, udp or sctp", spec, proto)
	}
	hostIP := ""
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			return nil, fmt.Errorf("invalid port %q: unclosed \"[\" in host IP", spec)
		}
		hostIP, rest = rest[1:end], strings.TrimPrefix(rest[end+1:], ":")
	}
	parts := strings.Split(rest, ":")
	var published, target string
	switch len(parts) {
	case 1:
		target = parts[0]
	case 2:
		published, target = parts[0], parts[1]
	case 3:
		hostIP, published, target = parts[0], parts[1], parts[2]
	default: // an IPv6 host address without brackets
		n := len(parts)
		hostIP, published, target = strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	}
	tLo, tHi, err := PortRange(target)
	if err != nil {
		return nil, fmt.Errorf("invalid container port %q", target)
	}
	pLo, pHi := 0, 0
	if published != "" {
		if pLo, pHi, err = PortRange(published); err != nil {
			return nil, fmt.Errorf("invalid published port %q", published)
		}
	}
	if published != "" && tHi != tLo && pHi-pLo != tHi-tLo {
		return nil, fmt.Errorf("invalid port %q: published range %s and container range %s differ in size", spec, published, target)
	}
	var out []any
	for t := tLo; t <= tHi; t++ {
		m := map[string]any{"mode": "ingress", "target": t, "protocol": "tcp"}
		if proto != "" {
			m["protocol"] = proto
		}
		if hostIP != "" {
			m["host_ip"] = hostIP
		}
		switch {
		case published == "":
		case tHi == tLo && pHi != pLo:
			m["published"] = published
		default:
			m["published"] = strconv.Itoa(pLo + t - tLo)
		}
		out = append(out, m)
	}
	return out, nil
}

// PortRange reads a port ("80") or a range ("8000-8010") of a port spec: its first and
// last port.
func PortRange(s string) (int, int, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(lo)
	if err != nil || a < 0 || a > 65535 {
		return 0, 0, fmt.Errorf("bad port %q", s)
	}
	if !isRange {
		return a, a, nil
	}
	b, err := strconv.Atoi(hi)
	if err != nil || b < a || b > 65535 {
		return 0, 0, fmt.Errorf("bad port range %q", s)
	}
	return a, b, nil
}

// volume turns a short volume spec into the long form.
func (s *shaper) volume(path string, e any) any {
	switch x := e.(type) {
	case map[string]any:
		if src, ok := x["source"].(string); ok && x["type"] == "bind" {
			x["source"] = s.abs(src)
		}
		return x
	case string:
		return s.shortVolume(path, x)
	}
	s.fail(path, "invalid volume %v: expected a string or a mapping", e)
	return e
}

// shortVolume turns "[source:]target[:options]" into the long form as compose-go's
// format.ParseVolume does: a one-letter section before ":" is a Windows drive, not a
// separator; "${...}" is not split; unknown options are ignored.
func (s *shaper) shortVolume(field, spec string) any {
	if spec != "" && len(spec) <= 2 { // compose-go takes it as is: a target, no volume options
		return map[string]any{"type": "volume", "target": spec}
	}
	src, dst, opts, err := splitVolumeSpec(spec)
	if err != nil {
		s.fail(field, "invalid volume %q: %v", spec, err)
		return spec
	}
	m := map[string]any{"target": dst}
	if dst != "" {
		m["target"] = path.Clean(dst)
	}
	bindOpts := map[string]any{}
	for _, o := range strings.Split(opts, ",") {
		switch o {
		case "ro":
			m["read_only"] = true
		case "rw":
			delete(m, "read_only")
		case "nocopy":
			m["volume"] = map[string]any{"nocopy": true}
		case "z", "Z":
			bindOpts["selinux"] = o
		case "rprivate", "private", "rshared", "shared", "rslave", "slave":
			bindOpts["propagation"] = o
		}
	}
	if src != "" {
		m["source"] = src
	}
	if isFilePath(src) {
		m["type"] = "bind"
		m["source"] = s.abs(src)
		m["bind"] = bindOpts // Compose v5 no longer writes create_host_path: true here
		return m
	}
	m["type"] = "volume"
	if len(bindOpts) > 0 {
		m["bind"] = bindOpts // Compose keeps z/Z (and propagation) of a named volume here
	}
	if _, ok := m["volume"]; !ok {
		m["volume"] = map[string]any{}
	}
	return m
}

// splitVolumeSpec splits a short volume spec into source, target and options.
func splitVolumeSpec(spec string) (src, dst, opts string, err error) {
	if spec == "" {
		return "", "", "", fmt.Errorf("empty volume spec")
	}
	if len(spec) <= 2 {
		return "", spec, "", nil
	}
	var parts []string
	var buf []rune
	depth := 0
	runes := []rune(spec)
	for i := 0; i <= len(runes); i++ {
		end := i == len(runes)
		var c rune
		if !end {
			c = runes[i]
		}
		switch {
		case !end && c == '$' && i+1 < len(runes) && runes[i+1] == '{':
			depth++
			buf = append(buf, c)
		case !end && c == '}' && depth > 0:
			depth--
			buf = append(buf, c)
		case !end && c == ':' && len(buf) == 1 && unicode.IsLetter(buf[0]):
			buf = append(buf, c) // a Windows drive letter
		case (end || c == ':') && depth == 0:
			if len(buf) == 0 {
				return "", "", "", fmt.Errorf("empty section between colons")
			}
			if len(parts) == 3 || len(parts) == 2 && !end {
				return "", "", "", fmt.Errorf("too many colons")
			}
			parts = append(parts, string(buf))
			buf = nil
		default:
			buf = append(buf, c)
		}
	}
	switch len(parts) {
	case 1:
		return "", parts[0], "", nil
	case 2:
		return parts[0], parts[1], "", nil
	}
	return parts[0], parts[1], parts[2], nil
}

// isFilePath reports a bind source as compose-go does: relative, absolute or home
// paths, Windows named pipes and drive paths.
func isFilePath(src string) bool {
	if src == "" {
		return false
	}
	switch src[0] {
	case '.', '/', '~':
		return true
	}
	if strings.HasPrefix(src, `\\`) {
		return true
	}
	r := []rune(src)
	return len(r) > 1 && r[1] == ':' && unicode.IsLetter(r[0])
}
