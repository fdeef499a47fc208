package project

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// ExecOptions configure Exec, as `berth exec`'s flags.
type ExecOptions struct {
	Service string
	// Index is the replica (container number); 0 picks the lowest-numbered running
	// one, replicas before one-off containers, as Compose does.
	Index      int
	Cmd        []string
	Env        []string // KEY=VAL, appended to the container's env; a bare KEY takes Lookup's value or is dropped
	Lookup     func(key string) (string, bool)
	User       string
	WorkingDir string
	Privileged bool
	Detach     bool
	// Tty runs the command on a new pseudo-terminal connected to Stdin and Stdout;
	// when Stdin is a terminal it is put in raw mode for the duration.
	Tty    bool
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Project, when the compose file was loaded, lets Exec report a service it does not
	// define as such instead of as not running.
	Project *compose.Project
}

// Exec runs a command in a running container of the service and returns its exit code.
// A service without a running container (or without the asked replica) yields an error
// wrapping ErrNotFound, worded as Compose's (`service "web" is not running`).
// With Detach it returns 0 once the command has started.
func Exec(cfg Config, name string, opts ExecOptions) (int, error) {
	if opts.Project != nil {
		if _, ok := opts.Project.Services[opts.Service]; !ok {
			return 0, fmt.Errorf("no such service: %s: %w", opts.Service, ErrNotFound)
		}
	}
	if len(opts.Cmd) == 0 {
		return 0, fmt.Errorf("exec: no command given: %w", ErrInvalid)
	}
	st, err := cfg.LoadState(name)
	if isNotFound(err) {
		st = &State{Name: name}
	} else if err != nil {
		return 0, err
	}
	cfg.restoreSupervisor(name, st)
	eng := cfg.engine()
	c, err := execTarget(st, func(id string) engine.Status {
		s, err := eng.State(id)
		if err != nil {
			return ""
		}
		return s.Status
	}, opts.Service, opts.Index)
	if err != nil {
		return 0, err
	}
	es := engine.ExecSpec{Cmd: opts.Cmd, Env: resolveEnv(opts.Env, opts.Lookup), User: opts.User,
		WorkingDir: opts.WorkingDir, Privileged: opts.Privileged, Detach: opts.Detach}
	if opts.Detach {
		_, err := eng.Exec(c.ID, es)
		return 0, err
	}
	if !opts.Tty {
		// The engine gives the process pipes, never these files (see engine.ExecSpec).
		es.Stdin, es.Stdout, es.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
		return eng.Exec(c.ID, es)
	}
	term, err := openTerminal(func() (*os.File, *os.File, error) { return eng.OpenPTYIn(c.ID) }, opts.Stdin, opts.Stdout)
	if err != nil {
		return 0, fmt.Errorf("exec in %s: %w", describe(c), err)
	}
	defer term.close()
	es.Tty, es.Stdin, es.Stdout, es.Stderr = true, term.slave, term.slave, term.slave
	return eng.Exec(c.ID, es)
}

// execTarget picks the container exec runs in: a running container of service, the
// replica index if not 0, else the lowest number, replicas before one-offs.
func execTarget(st *State, status func(id string) engine.Status, service string, index int) (*ContainerState, error) {
	var cands []*ContainerState
	for _, c := range st.Containers {
		if c.Service != service || status(c.ID) != engine.StatusRunning {
			continue
		}
		if index > 0 && (c.Oneoff() || c.Number != index) {
			continue
		}
		cands = append(cands, c)
	}
	if len(cands) == 0 {
		if index > 0 {
			return nil, fmt.Errorf("service %q is not running container #%d: %w", service, index, ErrNotFound)
		}
		return nil, fmt.Errorf("service %q is not running: %w", service, ErrNotFound)
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.Oneoff() != b.Oneoff() {
			return b.Oneoff()
		}
		if a.Number != b.Number {
			return a.Number < b.Number
		}
		return a.Name < b.Name
	})
	return cands[0], nil
}

// resolveEnv returns env with each bare KEY replaced by KEY=value from lookup, or
// dropped when lookup has none (as `docker exec -e KEY`).
func resolveEnv(env []string, lookup func(string) (string, bool)) []string {
	var out []string
	for _, kv := range env {
		if strings.Contains(kv, "=") {
			out = append(out, kv)
			continue
		}
		if lookup == nil {
			continue
		}
		if v, ok := lookup(kv); ok {
			out = append(out, kv+"="+v)
		}
	}
	return out
}
