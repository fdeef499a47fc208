package dockerfile

import (
	"strconv"
	"strings"
	"time"
)

// command parses the exec or shell form; RUN, CMD and ENTRYPOINT are not
// variable-expanded (the shell does that at run time).
func (p *parser) command(in *Instruction, rest string) (*Command, error) {
	if args, ok := jsonArgs(rest); ok {
		if len(args) == 0 && in.Cmd == "run" {
			return nil, p.errorf(in.Line, "RUN [] has no command")
		}
		return &Command{Args: args}, nil
	}
	if rest == "" {
		return nil, p.errorf(in.Line, "%s requires at least one argument", strings.ToUpper(in.Cmd))
	}
	args := append(append([]string(nil), p.stage.shell...), rest)
	return &Command{Args: args, ShellForm: true}, nil
}

func parseRun(p *parser, in *Instruction, rest string) error {
	mounts, rest, err := p.runMounts(in, rest)
	if err != nil {
		return err
	}
	in.Mounts = mounts
	flags, rest, err := p.flags(in, rest, "network")
	if err != nil {
		return err
	}
	if n, ok := flags["network"]; ok {
		if n != "default" && n != "none" && n != "host" {
			return p.errorf(in.Line, "RUN --network=%s: want default, none or host", n)
		}
		in.Network = n
	}
	if err := p.rejectHeredoc(in, rest); err != nil {
		return err
	}
	in.Command, err = p.command(in, rest)
	return err
}

func parseCmdLike(p *parser, in *Instruction, rest string) error {
	var err error
	in.Command, err = p.command(in, rest)
	return err
}

func parseShell(p *parser, in *Instruction, rest string) error {
	args, ok := jsonArgs(rest)
	if !ok || len(args) == 0 {
		return p.errorf(in.Line, `SHELL requires the JSON form with at least one element, e.g. SHELL ["/bin/bash", "-c"]`)
	}
	in.Command = &Command{Args: args}
	p.stage.shell = args
	return nil
}

func parseHealthcheck(p *parser, in *Instruction, rest string) error {
	flags, rest, err := p.flags(in, rest, "interval", "timeout", "start-period", "start-interval", "retries")
	if err != nil {
		return err
	}
	kind, cmdRest := rest, ""
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		kind, cmdRest = rest[:i], strings.TrimSpace(rest[i+1:])
	}
	h := &Healthcheck{}
	switch strings.ToUpper(kind) {
	case "NONE":
		if cmdRest != "" || len(flags) > 0 {
			return p.errorf(in.Line, "HEALTHCHECK NONE takes no arguments or flags")
		}
		h.Test = []string{"NONE"}
		in.Health = h
		return nil
	case "CMD":
	default:
		return p.errorf(in.Line, "HEALTHCHECK: unknown type %q: expected CMD or NONE", kind)
	}
	if args, ok := jsonArgs(cmdRest); ok && len(args) > 0 {
		h.Test = append([]string{"CMD"}, args...)
	} else if cmdRest != "" && !ok {
		h.Test = []string{"CMD-SHELL", cmdRest}
	} else {
		return p.errorf(in.Line, "HEALTHCHECK CMD requires a command")
	}
	if err := p.healthFlags(in, flags, h); err != nil {
		return err
	}
	in.Health = h
	return nil
}

// healthFlags validates and stores the HEALTHCHECK CMD flags in h.
func (p *parser) healthFlags(in *Instruction, flags map[string]string, h *Healthcheck) error {
	durations := []struct {
		flag string
		dst  *string
	}{{"interval", &h.Interval}, {"timeout", &h.Timeout}, {"start-period", &h.StartPeriod}, {"start-interval", &h.StartInterval}}
	for _, d := range durations {
		v, ok := flags[d.flag]
		if !ok {
			continue
		}
		dur, err := time.ParseDuration(v)
		if err != nil || (dur != 0 && dur < time.Millisecond) {
			return p.errorf(in.Line, "HEALTHCHECK --%s=%s: want a duration of at least 1ms, like 30s", d.flag, v)
		}
		*d.dst = dur.String()
	}
	if v, ok := flags["retries"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p.errorf(in.Line, "HEALTHCHECK --retries=%s: want a non-negative integer", v)
		}
		h.Retries = n
	}
	return nil
}
