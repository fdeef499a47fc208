package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/logstream"
)

// Lifecycle hooks, as Compose 2.30+ runs them: each post_start and pre_stop entry is an
// exec in the service's container (command, user, privileged, working_dir, environment),
// run one after the other. post_start runs once the container started (up, start,
// restart) and a failing one fails the command, the container left running; pre_stop
// runs before the stop signal (stop, down, restart, a recreate, up's Ctrl-C) and a
// failing one fails the command, the container left running, as Compose's stop does.
// The hooks come from the loaded compose file (r.p), never from state: without the file
// (down -p NAME) none run, as with Compose, and a broken hook is fixed by editing it.
// A container that is not running (it exited by itself) gets no pre_stop.
// While up is attached (and during its graceful stop) a hook's output is printed as
// it comes, under Compose's source ("web-1 ->"; pre_start: "web pre_start[0] ->",
// see prestart.go).

const (
	hookTailLines = 10   // as Compose's hookOutputTailLines
	hookTailBytes = 2048 // as Compose's hookOutputTailBytes
)

// postStart runs c's service's post_start hooks.
func (r *run) postStart(c *ContainerState) error {
	svc, ok := r.composeService(c.Service)
	if !ok {
		return nil
	}
	return r.runHooks(c, svc.PostStart)
}

// preStop runs c's service's pre_stop hooks when c runs.
func (r *run) preStop(c *ContainerState) error {
	svc, ok := r.composeService(c.Service)
	if !ok || len(svc.PreStop) == 0 {
		return nil
	}
	if st, err := r.eng.State(c.ID); err != nil || st.Status != engine.StatusRunning {
		return nil
	}
	err := r.runHooks(c, svc.PreStop)
	if errors.Is(err, engine.ErrNotRunning) || errors.Is(err, engine.ErrNotFound) {
		return nil // it exited meanwhile: nothing to stop either
	}
	return err
}

// runHooks runs hooks in c in order and stops at the first that fails: an error (the
// exec could not run) or a non-zero exit, worded as Compose's ("web hook exited with
// status 3: OUTPUT", the end of stderr, else of stdout).
func (r *run) runHooks(c *ContainerState, hooks []compose.ServiceHook) error {
	for _, h := range hooks {
		var stdout, stderr lastBytes
		var wout, werr io.Writer = &stdout, &stderr
		lw := &lineWriter{line: r.hookLines(c.Service, logstream.Prefix(c)+" ->")}
		if lw.line != nil {
			wout, werr = io.MultiWriter(wout, lw), io.MultiWriter(werr, lw)
		}
		code, err := r.eng.Exec(c.ID, engine.ExecSpec{Cmd: h.Command, Env: hookEnv(h.Environment),
			User: h.User, WorkingDir: h.WorkingDir, Privileged: h.Privileged,
			Stdin: strings.NewReader(""), Stdout: wout, Stderr: werr})
		lw.flush()
		if err != nil {
			return fmt.Errorf("%s hook in %s: %w", c.Service, describe(c), err)
		}
		if code != 0 {
			return hookExitError(c.Service, code, stdout.String(), stderr.String())
		}
	}
	return nil
}

// hookExitError is Compose's hookExitError: the tail of stderr, else of stdout.
func hookExitError(service string, code int, stdout, stderr string) error {
	out := outputTail(stderr)
	if out == "" {
		out = outputTail(stdout)
	}
	if out == "" {
		return fmt.Errorf("%s hook exited with status %d", service, code)
	}
	return fmt.Errorf("%s hook exited with status %d: %s", service, code, out)
}

// outputTail is, as Compose keeps it, the last hookTailLines non-blank lines of s
// (of a line rewound with \r, what follows the last \r), at most hookTailBytes,
// trimmed.
func outputTail(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, "\r")
		if i := strings.LastIndex(l, "\r"); i >= 0 {
			l = l[i+1:]
		}
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > hookTailLines {
		lines = lines[len(lines)-hookTailLines:]
	}
	out := strings.TrimSpace(strings.Join(lines, "\n"))
	if len(out) > hookTailBytes {
		out = out[len(out)-hookTailBytes:]
	}
	return strings.ToValidUTF8(out, "")
}

// lastBytes is an io.Writer keeping the last lastBytesMax bytes written to it: a hook
// printing without end cannot fill memory.
type lastBytes struct{ buf []byte }

const lastBytesMax = 64 << 10

func (b *lastBytes) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - lastBytesMax; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *lastBytes) String() string { return string(b.buf) }

// lineWriter calls line with each whole line written to it (without its newline);
// flush passes what is left. Stdout and stderr share one, as in Compose's display;
// it is safe for concurrent use.
type lineWriter struct {
	mu      sync.Mutex
	line    func(string)
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.line(strings.TrimRight(string(w.partial[:i]), "\r"))
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 && w.line != nil {
		w.line(string(w.partial))
		w.partial = nil
	}
}

// hookEnv is a hook's environment as KEY=VALUE, sorted; a name without a value is left
// out (the exec keeps the container's value).
func hookEnv(env compose.MappingWithEquals) []string {
	var out []string
	for k, v := range env {
		if v != nil {
			out = append(out, k+"="+*v)
		}
	}
	sort.Strings(out)
	return out
}

// markStopping records that a user stops c (markUserStop), then runs its pre_stop
// hooks: a hook that ends c's main process does not make its restart policy start it
// again. A failing hook undoes the mark, the container left running.
func (r *run) markStopping(c *ContainerState) error {
	if err := r.markUserStop(c, true); err != nil {
		return fmt.Errorf("stop %s: %w", describe(c), err)
	}
	if err := r.preStop(c); err != nil {
		if uerr := r.markUserStop(c, false); uerr != nil {
			return errors.Join(err, fmt.Errorf("stop %s: %w", describe(c), uerr))
		}
		return err
	}
	return nil
}

// oneoffPostStart runs the post_start hooks of a one-off container of svc once it
// started, as Compose's run does: one that exited before a hook could run fails
// with the exec's error wrapping engine.ErrNotRunning (Compose's run fails with the
// exec's conflict, "container ... is not running").
func (r *run) oneoffPostStart(c *ContainerState, svc compose.ServiceConfig) error {
	return r.runHooks(c, svc.PostStart)
}
