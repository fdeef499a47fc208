package dockerfile

import (
	"strings"
	"unicode"
)

var stageNameRe = lazyRegexp(`^[a-zA-Z][a-zA-Z0-9_.-]*$`)

func parseFrom(p *parser, in *Instruction, rest string) error {
	flags, rest, err := p.flags(in, rest, "platform")
	if err != nil {
		return err
	}
	f := strings.Fields(rest)
	if len(f) != 1 && !(len(f) == 3 && strings.EqualFold(f[1], "as")) {
		return p.errorf(in.Line, "FROM requires either one or three arguments: FROM [--platform=P] IMAGE [AS NAME]")
	}
	expand := func(s string) (string, error) {
		v, err := expandWord(s, p.escape, p.globalLookup)
		if err != nil {
			return "", p.errorf(in.Line, "%s", err.Error())
		}
		return v, nil
	}
	st := &Stage{Index: len(p.df.Stages), Line: in.Line, Instructions: []*Instruction{}}
	if st.Base, err = expand(f[0]); err != nil {
		return err
	}
	if st.Base == "" {
		return p.errorf(in.Line, "FROM %s: base name should not be blank", f[0])
	}
	if v, ok := flags["platform"]; ok {
		if st.Platform, err = expand(v); err != nil {
			return err
		}
	}
	if len(f) == 3 {
		if !stageNameRe().MatchString(f[2]) {
			return p.errorf(in.Line, "invalid stage name %q: must match %s", f[2], stageNameRe())
		}
		st.Name = strings.ToLower(f[2])
		if p.df.stageIndex(st.Name) >= 0 {
			return p.errorf(in.Line, "duplicate stage name %q", st.Name)
		}
	}
	st.shell = []string{"/bin/sh", "-c"}
	if i := p.df.stageIndex(strings.ToLower(st.Base)); i >= 0 {
		st.BaseStage = &i
		st.env = append([]KeyValue(nil), p.df.Stages[i].env...)
		st.shell = p.df.Stages[i].shell
	} else {
		st.env = p.baseEnv(st.Base)
	}
	p.df.Stages = append(p.df.Stages, st)
	p.stage = st
	p.args = map[string]string{}
	return nil
}

// baseEnv is the ENV a stage starts with when its base is an image: the
// caller's Options.BaseEnv entry, with Docker's default PATH when it sets none (as
// BuildKit adds to every stage: `ENV PATH=$PATH:/x` on an imported rootfs).
func (p *parser) baseEnv(base string) []KeyValue {
	list := p.opts.BaseEnv[base]
	if strings.EqualFold(base, "scratch") {
		list = nil
	}
	list = WithDefaultPath(list)
	var out []KeyValue
	for _, kv := range list {
		k, v, _ := strings.Cut(kv, "=")
		if k != "" {
			out = setKey(out, KeyValue{Key: k, Value: v, Set: true})
		}
	}
	return out
}

// WithDefaultPath returns env (KEY=VALUE entries) with PATH=DefaultPath added when
// it has no PATH: BuildKit makes sure every stage's image has one.
func WithDefaultPath(env []string) []string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			return env
		}
	}
	return append(env[:len(env):len(env)], "PATH="+DefaultPath)
}

func parseArg(p *parser, in *Instruction, rest string) error {
	words := splitQuoted(rest, p.escape)
	if len(words) == 0 {
		return p.errorf(in.Line, "ARG requires at least one argument")
	}
	for _, w := range words {
		key, raw, hasDefault := strings.Cut(w, "=")
		if key == "" {
			return p.errorf(in.Line, "ARG names can not be blank")
		}
		kv := KeyValue{Key: key}
		if v, ok := p.opts.BuildArgs[key]; ok {
			kv.Value, kv.Set = v, true
		} else if hasDefault {
			v, err := p.word(in.Line, raw)
			if err != nil {
				return err
			}
			kv.Value, kv.Set = v, true
		} else if g, ok := p.global[key]; ok && p.stage != nil {
			kv.Value, kv.Set = g.Value, g.Set
		}
		in.KeyValues = append(in.KeyValues, kv)
		if p.stage == nil {
			p.global[key] = kv
			p.df.GlobalArgs = append(p.df.GlobalArgs, kv)
		} else if kv.Set {
			p.args[key] = kv.Value
		}
	}
	return nil
}

// pairs parses NAME=value... or the legacy `NAME value` form, expanding
// keys and values with the scope before the instruction.
func (p *parser) pairs(in *Instruction, rest string) ([]KeyValue, error) {
	upper := strings.ToUpper(in.Cmd)
	words := splitQuoted(rest, p.escape)
	if len(words) == 0 {
		return nil, p.errorf(in.Line, "%s requires at least one argument", upper)
	}
	var out []KeyValue
	if !strings.Contains(words[0], "=") {
		key := words[0]
		raw := strings.TrimSpace(strings.TrimPrefix(rest, key))
		if raw == "" {
			return nil, p.errorf(in.Line, "%s %s: missing value (use %s NAME=VALUE)", upper, key, upper)
		}
		v, err := p.word(in.Line, raw)
		if err != nil {
			return nil, err
		}
		return append(out, KeyValue{Key: key, Value: v, Set: true}), nil
	}
	for _, w := range words {
		rawKey, raw, ok := strings.Cut(w, "=")
		if !ok {
			return nil, p.errorf(in.Line, "%s: can't find = in %q: must be of the form NAME=VALUE", upper, w)
		}
		key, err := p.word(in.Line, rawKey)
		if err != nil {
			return nil, err
		}
		if key == "" {
			return nil, p.errorf(in.Line, "%s names can not be blank", upper)
		}
		v, err := p.word(in.Line, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, KeyValue{Key: key, Value: v, Set: true})
	}
	return out, nil
}

func parseEnv(p *parser, in *Instruction, rest string) error {
	kvs, err := p.pairs(in, rest)
	if err != nil {
		return err
	}
	in.KeyValues = kvs
	for _, kv := range kvs {
		p.stage.env = setKey(p.stage.env, kv)
	}
	return nil
}

func setKey(list []KeyValue, kv KeyValue) []KeyValue {
	out := append([]KeyValue(nil), list...)
	for i := range out {
		if out[i].Key == kv.Key {
			out[i] = kv
			return out
		}
	}
	return append(out, kv)
}

func parseLabel(p *parser, in *Instruction, rest string) error {
	kvs, err := p.pairs(in, rest)
	in.KeyValues = kvs
	return err
}

// parseMaintainer turns the deprecated MAINTAINER into LABEL maintainer=...,
// as Docker recommends.
func parseMaintainer(p *parser, in *Instruction, rest string) error {
	if rest == "" {
		return p.errorf(in.Line, "MAINTAINER requires exactly one argument")
	}
	v, err := p.word(in.Line, rest)
	if err != nil {
		return err
	}
	in.Cmd = "label"
	in.KeyValues = []KeyValue{{Key: "maintainer", Value: v, Set: true}}
	return nil
}

// splitQuoted splits s on whitespace outside quotes, keeping quotes and
// escapes in the words for later expansion.
func splitQuoted(s string, escape rune) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	inWord := false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == escape && quote != '\'' && i+1 < len(rs):
			cur.WriteRune(r)
			i++
			cur.WriteRune(rs[i])
		case quote != 0:
			if r == quote {
				quote = 0
			}
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote = r
			cur.WriteRune(r)
		case unicode.IsSpace(r):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
			}
			inWord = false
			continue
		default:
			cur.WriteRune(r)
		}
		inWord = true
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
