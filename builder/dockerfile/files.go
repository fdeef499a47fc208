package dockerfile

import (
	"strconv"
	"strings"
)

func parseCopy(p *parser, in *Instruction, rest string) error {
	supported := []string{"chown", "chmod", "from"}
	if in.Cmd == "add" {
		supported = supported[:2]
	}
	flags, rest, err := p.flags(in, rest, supported...)
	if err != nil {
		return err
	}
	if err := p.rejectHeredoc(in, rest); err != nil {
		return err
	}
	var args []string
	if raw, ok := jsonArgs(rest); ok {
		for _, a := range raw {
			v, err := p.word(in.Line, a)
			if err != nil {
				return err
			}
			args = append(args, v)
		}
	} else if args, err = p.words(in.Line, rest); err != nil {
		return err
	}
	upper := strings.ToUpper(in.Cmd)
	if len(args) < 2 {
		return p.errorf(in.Line, "%s requires at least two arguments: %s SRC... DEST", upper, upper)
	}
	c := &Copy{Sources: args[:len(args)-1], Dest: args[len(args)-1]}
	for name, dst := range map[string]*string{"chown": &c.Chown, "chmod": &c.Chmod, "from": &c.From} {
		if v, ok := flags[name]; ok {
			if *dst, err = p.word(in.Line, v); err != nil {
				return err
			}
		}
	}
	if c.Chmod != "" {
		if _, err := strconv.ParseUint(c.Chmod, 8, 32); err != nil {
			return p.unsupportedf(in.Line, "%s --chmod=%s: only octal modes are supported", upper, c.Chmod)
		}
	}
	if c.From != "" {
		if err := p.resolveFrom(in, c); err != nil {
			return err
		}
	}
	in.Copy = c
	return nil
}

// resolveFrom resolves COPY --from to an earlier stage by index or name;
// any other value names an image.
func (p *parser) resolveFrom(in *Instruction, c *Copy) error {
	cur := p.stage.Index
	if n, err := strconv.Atoi(c.From); err == nil {
		if n < 0 || n >= cur {
			return p.errorf(in.Line, "COPY --from=%d: must name an earlier stage, and this is stage %d", n, cur)
		}
		c.FromStage = &n
		return nil
	}
	name := strings.ToLower(c.From)
	if name == p.stage.Name {
		return p.errorf(in.Line, "COPY --from=%s: a stage can not copy from itself", c.From)
	}
	if i := p.df.stageIndex(name); i >= 0 {
		c.FromStage = &i
	}
	return nil
}

// parseSingle handles WORKDIR, USER and STOPSIGNAL: one expanded value.
func parseSingle(p *parser, in *Instruction, rest string) error {
	upper := strings.ToUpper(in.Cmd)
	if rest == "" {
		return p.errorf(in.Line, "%s requires exactly one argument", upper)
	}
	v, err := p.word(in.Line, rest)
	if err != nil {
		return err
	}
	if v == "" {
		return p.errorf(in.Line, "%s %s: value is empty after variable expansion", upper, rest)
	}
	in.Value = v
	return nil
}

var portRe = lazyRegexp(`^[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?$`)

func parseExpose(p *parser, in *Instruction, rest string) error {
	ports, err := p.words(in.Line, rest)
	if err != nil {
		return err
	}
	if len(ports) == 0 {
		return p.errorf(in.Line, "EXPOSE requires at least one argument")
	}
	for _, port := range ports {
		port = strings.ToLower(port)
		if !portRe().MatchString(port) {
			return p.errorf(in.Line, "EXPOSE %s: invalid port: want PORT[-PORT][/tcp|udp|sctp]", port)
		}
		in.Ports = append(in.Ports, port)
	}
	return nil
}

func parseVolume(p *parser, in *Instruction, rest string) error {
	var vols []string
	if raw, ok := jsonArgs(rest); ok {
		for _, a := range raw {
			v, err := p.word(in.Line, a)
			if err != nil {
				return err
			}
			vols = append(vols, v)
		}
	} else {
		var err error
		if vols, err = p.words(in.Line, rest); err != nil {
			return err
		}
	}
	if len(vols) == 0 {
		return p.errorf(in.Line, "VOLUME requires at least one argument")
	}
	for _, v := range vols {
		if strings.TrimSpace(v) == "" {
			return p.errorf(in.Line, "VOLUME specified can not be an empty string")
		}
	}
	in.Volumes = vols
	return nil
}
