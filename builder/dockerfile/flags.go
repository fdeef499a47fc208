package dockerfile

import (
	"encoding/json"
	"strings"
)

// unsupportedFlags are flags Docker accepts that berth does not implement;
// they fail naming the flag rather than being ignored.
var unsupportedFlags = map[string][]string{
	"copy": {"link", "parents", "exclude"},
	"add":  {"link", "checksum", "keep-git-dir", "exclude"},
	"run":  {"security", "device"},
}

// flags splits leading --name=value flags off rest. supported lists the
// flags the instruction takes; any other flag is an error naming it.
func (p *parser) flags(in *Instruction, rest string, supported ...string) (map[string]string, string, error) {
	out := map[string]string{}
	for strings.HasPrefix(rest, "--") {
		word, tail := rest, ""
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			word, tail = rest[:i], strings.TrimSpace(rest[i+1:])
		}
		name, value, hasValue := strings.Cut(word[2:], "=")
		upper := strings.ToUpper(in.Cmd)
		if !contains(supported, name) {
			if contains(unsupportedFlags[in.Cmd], name) {
				return nil, "", p.unsupportedf(in.Line, "%s --%s is not supported by berth", upper, name)
			}
			return nil, "", p.errorf(in.Line, "unknown flag for %s: --%s", upper, name)
		}
		if !hasValue || value == "" {
			return nil, "", p.errorf(in.Line, "%s --%s needs a value (--%s=VALUE)", upper, name, name)
		}
		if _, dup := out[name]; dup {
			return nil, "", p.errorf(in.Line, "%s --%s given more than once", upper, name)
		}
		out[name] = value
		rest = tail
	}
	return out, rest, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// jsonArgs parses the exec (JSON array) form. ok is false when rest is not a
// JSON array of strings, in which case Docker treats it as the shell form.
func jsonArgs(rest string) ([]string, bool) {
	if !strings.HasPrefix(rest, "[") {
		return nil, false
	}
	var out []string
	if err := json.Unmarshal([]byte(rest), &out); err != nil {
		return nil, false
	}
	return out, true
}

// heredocRe matches `<<EOF`, `<<-EOF` and quoted forms, not here-strings (`<<<`).
var heredocRe = lazyRegexp(`(^|[^<])<<-?["']?[A-Za-z_][A-Za-z0-9_]*`)

// rejectHeredoc fails for the heredoc forms of RUN, COPY and ADD.
func (p *parser) rejectHeredoc(in *Instruction, rest string) error {
	if heredocRe().MatchString(rest) {
		return p.unsupportedf(in.Line, "heredocs are not supported")
	}
	return nil
}
