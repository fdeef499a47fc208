// Package dockerfile parses a Dockerfile into stages and instructions with
// line numbers, expanding variables with Docker's rules and scoping.
//
// It is pure: it reads only the bytes it is given and never touches the
// context, an image store or the network. Variables are expanded from the
// Dockerfile's own ARG and ENV, the build args and the ENV of the stage's
// base: an earlier stage, the base image's ENV as the caller passes it in
// Options.BaseEnv (the caller resolves the images), or for scratch Docker's
// default PATH, as BuildKit does. Every error is an *Error positioned at a line, unwrapping to
// ErrInvalid or ErrUnsupported. Imports: the standard library only.
package dockerfile

import (
	"fmt"
	"io"
	"runtime"
	"strings"
)

// maxSize bounds the Dockerfile size read by Parse.
const maxSize = 8 << 20

// Options control Parse.
type Options struct {
	// Filename is used in error messages; "Dockerfile" when empty.
	Filename string
	// BuildArgs are --build-arg values; they override ARG defaults.
	BuildArgs map[string]string
	// BaseEnv is the ENV ("KEY=value" entries) of base images by the FROM
	// reference as expanded; a stage whose image is missing here starts with
	// no ENV.
	BaseEnv map[string][]string
}

// DefaultPath is the PATH Docker gives an image or container that sets none
// (BuildKit writes it into the config of a FROM scratch image).
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Parse reads a Dockerfile from r. It returns a *Error for any problem in
// the file, or an I/O error from r wrapped with context.
func Parse(r io.Reader, opts Options) (*Dockerfile, error) {
	if opts.Filename == "" {
		opts.Filename = "Dockerfile"
	}
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", opts.Filename, err)
	}
	p := &parser{opts: opts, escape: '\\', df: &Dockerfile{Directives: map[string]string{}, filename: opts.Filename}}
	if len(data) > maxSize {
		return nil, p.errorf(0, "file is larger than %d bytes", maxSize)
	}
	if err := p.parse(string(data)); err != nil {
		return nil, err
	}
	if len(p.df.Directives) == 0 {
		p.df.Directives = nil
	}
	return p.df, nil
}

type parser struct {
	opts   Options
	escape rune
	df     *Dockerfile
	global map[string]KeyValue // global ARG values by name
	stage  *Stage              // current stage, nil before the first FROM
	args   map[string]string   // ARGs declared in the current stage
}

func (p *parser) errorf(line int, format string, a ...any) error {
	return &Error{File: p.opts.Filename, Line: line, Msg: fmt.Sprintf(format, a...), Kind: ErrInvalid}
}

func (p *parser) unsupportedf(line int, format string, a ...any) error {
	return &Error{File: p.opts.Filename, Line: line, Msg: fmt.Sprintf(format, a...), Kind: ErrUnsupported}
}

func (p *parser) parse(src string) error {
	lines := splitLines(src)
	start, err := p.readDirectives(lines)
	if err != nil {
		return err
	}
	p.global = p.platformArgs()
	for _, ll := range p.logicalLines(lines, start) {
		if err := p.instruction(ll); err != nil {
			return err
		}
	}
	if len(p.df.Stages) == 0 {
		return p.errorf(0, "no FROM instruction: a Dockerfile needs at least one stage")
	}
	return nil
}

// platformArgs returns Docker's automatic platform ARGs (BUILDPLATFORM,
// TARGETARCH, ...) for the host platform, overridden by build args. Like
// Docker, they are visible in FROM lines and in a stage that declares them.
func (p *parser) platformArgs() map[string]KeyValue {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	out := map[string]KeyValue{}
	for _, prefix := range []string{"BUILD", "TARGET"} {
		for suffix, v := range map[string]string{"PLATFORM": platform, "OS": runtime.GOOS, "ARCH": runtime.GOARCH, "VARIANT": ""} {
			key := prefix + suffix
			if bv, ok := p.opts.BuildArgs[key]; ok {
				v = bv
			}
			out[key] = KeyValue{Key: key, Value: v, Set: true}
		}
	}
	return out
}

// lookup resolves a variable in the current scope: stage ENV first, then
// stage ARGs; before the first FROM, the global ARGs.
func (p *parser) lookup(name string) (string, bool) {
	if p.stage == nil {
		kv, ok := p.global[name]
		return kv.Value, ok && kv.Set
	}
	for i := len(p.stage.env) - 1; i >= 0; i-- {
		if p.stage.env[i].Key == name {
			return p.stage.env[i].Value, true
		}
	}
	v, ok := p.args[name]
	return v, ok
}

// globalLookup resolves variables in FROM lines: global ARGs only.
func (p *parser) globalLookup(name string) (string, bool) {
	kv, ok := p.global[name]
	return kv.Value, ok && kv.Set
}

func (p *parser) word(line int, s string) (string, error) {
	v, err := expandWord(s, p.escape, p.lookup)
	if err != nil {
		return "", p.errorf(line, "%s", err.Error())
	}
	return v, nil
}

func (p *parser) words(line int, s string) ([]string, error) {
	v, err := expandWords(s, p.escape, p.lookup)
	if err != nil {
		return nil, p.errorf(line, "%s", err.Error())
	}
	return v, nil
}

// instruction dispatches one logical line.
func (p *parser) instruction(ll logicalLine) error {
	name, rest := ll.text, ""
	if i := strings.IndexAny(ll.text, " \t"); i >= 0 {
		name, rest = ll.text[:i], ll.text[i+1:]
	}
	cmd := strings.ToLower(name)
	rest = strings.TrimSpace(rest)
	h, ok := handlers[cmd]
	if !ok {
		if cmd == "onbuild" {
			return p.unsupportedf(ll.line, "ONBUILD is not supported by berth")
		}
		return p.errorf(ll.line, "unknown instruction: %s", strings.ToUpper(name))
	}
	if cmd != "from" && cmd != "arg" && p.stage == nil {
		return p.errorf(ll.line, "%s before the first FROM: only ARG may come before FROM", strings.ToUpper(cmd))
	}
	in := &Instruction{Line: ll.line, Cmd: cmd, Original: ll.text}
	if err := h(p, in, rest); err != nil {
		return err
	}
	if cmd != "from" && p.stage != nil {
		p.stage.Instructions = append(p.stage.Instructions, in)
	}
	return nil
}

type handler func(p *parser, in *Instruction, rest string) error

var handlers = map[string]handler{
	"from": parseFrom, "arg": parseArg, "env": parseEnv, "label": parseLabel,
	"maintainer": parseMaintainer, "workdir": parseSingle, "user": parseSingle,
	"stopsignal": parseSingle, "run": parseRun, "cmd": parseCmdLike,
	"entrypoint": parseCmdLike, "shell": parseShell, "copy": parseCopy, "add": parseCopy,
	"expose": parseExpose, "volume": parseVolume, "healthcheck": parseHealthcheck,
}
