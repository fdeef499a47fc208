package dockerfile

import (
	"path"
	"strconv"
	"strings"
)

// RunMount is one RUN --mount, BuildKit's syntax (type=bind when no type is
// given). Values are expanded; defaults are filled as BuildKit fills them:
// a secret's Target is /run/secrets/<id> and its ID the target's base name, a
// cache's ID is its Target.
type RunMount struct {
	Type   string `json:"type"`             // bind, cache, tmpfs or secret
	Target string `json:"target"`           // as written: a relative path is relative to WORKDIR
	Source string `json:"source,omitempty"` // bind, cache with from: the path in From or the context
	From   string `json:"from,omitempty"`   // bind: a stage or an image; empty is the build context
	// FromStage is the earlier stage From names, nil for the context or an image.
	FromStage *int    `json:"from_stage,omitempty"`
	ID        string  `json:"id,omitempty"`      // cache, secret
	Sharing   string  `json:"sharing,omitempty"` // cache: shared (default), private or locked
	ReadWrite bool    `json:"rw,omitempty"`      // bind: writes allowed (and discarded); cache: false when ro
	Mode      *uint32 `json:"mode,omitempty"`    // cache, secret: permission bits
	UID       *int    `json:"uid,omitempty"`     // cache, secret: owner
	GID       *int    `json:"gid,omitempty"`
	Required  bool    `json:"required,omitempty"` // secret: fail when the build has no such secret
	Size      int64   `json:"size,omitempty"`     // tmpfs: bytes, 0 for the default
	// Env (secret) names an environment variable of the RUN that holds the secret;
	// with env and no target the secret is not mounted as a file.
	Env string `json:"env,omitempty"`
}

// runMounts splits every leading --mount=... flag off rest; other flags are
// left for p.flags.
func (p *parser) runMounts(in *Instruction, rest string) ([]RunMount, string, error) {
	var out []RunMount
	var others []string
	for strings.HasPrefix(rest, "--") {
		word, tail := rest, ""
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			word, tail = rest[:i], strings.TrimSpace(rest[i+1:])
		}
		if v, ok := strings.CutPrefix(word, "--mount="); ok {
			m, err := p.runMount(in, v)
			if err != nil {
				return nil, "", err
			}
			out = append(out, m)
		} else {
			others = append(others, word)
		}
		rest = tail
	}
	return out, strings.TrimSpace(strings.Join(append(others, rest), " ")), nil
}

// runMount parses one --mount value: comma-separated key=value fields.
func (p *parser) runMount(in *Instruction, spec string) (RunMount, error) {
	m := RunMount{Type: "bind"}
	readOnly := ""
	for _, field := range strings.Split(spec, ",") {
		key, raw, hasValue := strings.Cut(field, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		v, err := p.word(in.Line, raw)
		if err != nil {
			return m, err
		}
		if err := p.mountField(in, &m, key, v, hasValue, &readOnly); err != nil {
			return m, err
		}
	}
	return m, p.finishMount(in, &m, readOnly)
}

func (p *parser) mountField(in *Instruction, m *RunMount, key, v string, hasValue bool, readOnly *string) error {
	boolValue := func() (bool, error) {
		if !hasValue {
			return true, nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, p.errorf(in.Line, "RUN --mount: %s=%q: want true or false", key, v)
		}
		return b, nil
	}
	intValue := func(base int) (int64, error) {
		n, err := strconv.ParseInt(v, base, 64)
		if err != nil || n < 0 {
			return 0, p.errorf(in.Line, "RUN --mount: %s=%q: want a number", key, v)
		}
		return n, nil
	}
	switch key {
	case "type":
		m.Type = strings.ToLower(v)
	case "target", "dst", "destination":
		m.Target = v
	case "source", "src":
		m.Source = v
	case "from":
		m.From = v
	case "id":
		m.ID = v
	case "sharing":
		m.Sharing = strings.ToLower(v)
	case "ro", "readonly", "rw", "readwrite":
		b, err := boolValue()
		if err != nil {
			return err
		}
		if (key == "ro" || key == "readonly") == b {
			*readOnly = "ro"
		} else {
			*readOnly = "rw"
		}
	case "required":
		b, err := boolValue()
		m.Required = b
		return err
	case "mode":
		n, err := intValue(8)
		mode := uint32(n & 0o7777)
		m.Mode = &mode
		return err
	case "uid", "gid":
		n, err := intValue(10)
		id := int(n)
		if key == "uid" {
			m.UID = &id
		} else {
			m.GID = &id
		}
		return err
	case "size":
		n, err := intValue(10)
		m.Size = n
		return err
	case "env":
		m.Env = v
	default:
		return p.errorf(in.Line, "RUN --mount: unknown field %q", key)
	}
	return nil
}

// finishMount checks the type and fills BuildKit's defaults.
func (p *parser) finishMount(in *Instruction, m *RunMount, readOnly string) error {
	switch m.Type {
	case "bind", "cache", "tmpfs", "secret":
	case "ssh":
		return p.unsupportedf(in.Line, "RUN --mount=type=ssh is not supported by berth")
	default:
		return p.errorf(in.Line, "RUN --mount: unknown type %q (want bind, cache, tmpfs, secret or ssh)", m.Type)
	}
	switch m.Type {
	case "secret":
		if m.ID == "" && m.Target != "" {
			m.ID = path.Base(m.Target)
		}
		if m.ID == "" && m.Env != "" {
			m.ID = m.Env
		}
		if m.ID == "" {
			return p.errorf(in.Line, "RUN --mount=type=secret needs id=, target= or env=")
		}
		if m.Target == "" && m.Env == "" {
			m.Target = "/run/secrets/" + m.ID
		}
		if m.Target == "" {
			return nil // an environment variable only
		}
	case "cache":
		if m.Sharing == "" {
			m.Sharing = "shared"
		}
		if m.Sharing != "shared" && m.Sharing != "private" && m.Sharing != "locked" {
			return p.errorf(in.Line, "RUN --mount: sharing=%q: want shared, private or locked", m.Sharing)
		}
		if m.From != "" {
			return p.unsupportedf(in.Line, "RUN --mount=type=cache,from=: seeding a cache is not supported by berth")
		}
	}
	if m.Target == "" {
		return p.errorf(in.Line, "RUN --mount=type=%s needs target=", m.Type)
	}
	if m.Type == "cache" && m.ID == "" {
		m.ID = m.Target
	}
	m.ReadWrite = readOnly == "rw" || (readOnly == "" && m.Type == "cache")
	if m.Type == "bind" && m.From != "" {
		c := &Copy{From: m.From}
		if err := p.resolveFrom(in, c); err != nil {
			return err
		}
		m.FromStage = c.FromStage
	}
	return nil
}
