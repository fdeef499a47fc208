package project

import (
	"errors"
	"fmt"
	"sort"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// execAll runs, for each service, the exec command of every sync+exec rule that
// matched (once per rule, in rule order) in each of its running containers.
func (w *watcher) execAll(exec map[string][]int) error {
	var errs []error
	for _, svc := range keys(exec) {
		rules := append([]int(nil), exec[svc]...)
		sort.Ints(rules)
		for _, i := range rules {
			t := w.p.Services[svc].Develop.Watch[w.rules[i].Index]
			if err := w.exec(svc, t.Exec); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// exec runs hook in every running container of service; a command that fails or
// exits non-zero is an error naming the container.
func (w *watcher) exec(service string, hook compose.ServiceHook) error {
	ctrs, err := w.containers(service, true)
	if err != nil {
		return err
	}
	env := make([]string, 0, len(hook.Environment))
	for k, v := range hook.Environment {
		if v != nil {
			env = append(env, k+"="+*v)
		}
	}
	sort.Strings(env)
	var errs []error
	for _, c := range ctrs {
		code, err := Exec(w.cfg, w.p.Name, ExecOptions{Service: service, Index: c.Number, Cmd: hook.Command,
			Env: env, User: hook.User, WorkingDir: hook.WorkingDir, Privileged: hook.Privileged,
			Stdout: orDiscard(w.opts.Output), Stderr: orDiscard(w.opts.Output)})
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("exec %q in %s: %w", hook.Command, c.Name, err))
		case code != 0:
			errs = append(errs, fmt.Errorf("exec %q in %s: exit code %d", hook.Command, c.Name, code))
		}
	}
	return errors.Join(errs...)
}

// containers are the service's containers (not one-off ones), by number; with running,
// only those running.
func (w *watcher) containers(service string, running bool) ([]*ContainerState, error) {
	st, err := w.cfg.LoadState(w.p.Name)
	if err != nil {
		return nil, err
	}
	eng := w.cfg.engine()
	var out []*ContainerState
	for _, c := range st.Containers {
		if c.Service != service || c.Oneoff() {
			continue
		}
		if s, err := eng.State(c.ID); err != nil || (running && s.Status != engine.StatusRunning) {
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}
