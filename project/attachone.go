package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine"
)

// AttachOneOptions configure AttachOne, as `berth attach`'s flags.
type AttachOneOptions struct {
	Service string
	Index   int // the container number; 0: the service's first running container
	// NoStdin leaves the container's stdin alone; otherwise Stdin feeds it when the
	// container keeps it open (stdin_open).
	NoStdin bool
	// SigProxy forwards the signals berth receives (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
	// SIGUSR1, SIGUSR2) to the container, as Docker does for a container without tty.
	SigProxy bool
	// DetachKeys end the attachment, typed on a container with a tty (see
	// ParseDetachKeys); nil: DefaultDetachKeys.
	DetachKeys     []byte
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Warnings       io.Writer // nil: none
}

// AttachOne attaches to a running container of a service of project name, as `docker
// compose attach`: its output from now on goes to Stdout and Stderr (as it wrote it),
// Stdin to its stdin, until it exits; it returns its exit code. The detach keys end it
// earlier with ErrDetached. A service without a running container (or without the
// container Index) is an error wrapping ErrNotFound, a paused container one wrapping
// ErrInvalid, with Docker's words.
//
// berth hands a container's stdin out once per start (see engine.AttachStdin): when a
// command took it before, AttachOne attaches the output only, and says so on Warnings.
func AttachOne(ctx context.Context, cfg Config, name string, opts AttachOneOptions) (int, error) {
	r, err := cfg.stateRun(name)
	if err != nil {
		return 0, err
	}
	c, err := attachTarget(r, opts.Service, opts.Index)
	if err != nil {
		return 0, err
	}
	spec, err := r.eng.Spec(c.ID)
	if err != nil {
		return 0, fmt.Errorf("attach %s: %w", describe(c), err)
	}
	since := time.Now()
	detached := make(chan struct{})
	if !opts.NoStdin && spec.OpenStdin && opts.Stdin != nil {
		stop, err := r.attachOneStdin(c, spec.Tty, opts, detached)
		if err != nil {
			return 0, err
		}
		defer stop()
	}
	if opts.SigProxy && !spec.Tty {
		defer forwardSignals(r.eng, c.ID)()
	}
	logged := make(chan error, 1)
	go func() { logged <- r.followOutput(c, since, opts.Stdout, opts.Stderr, detached) }()
	select {
	case <-detached:
		return 0, ErrDetached
	case err := <-logged:
		if err != nil {
			return 0, err
		}
	}
	es, err := r.eng.Wait(c.ID)
	if err != nil {
		return 0, fmt.Errorf("wait for %s: %w", describe(c), err)
	}
	return es.ExitCode, nil
}

// attachTarget is the running (or paused) container Compose attaches to: the one
// numbered index, or the service's lowest-numbered, one-off containers last.
func attachTarget(r *run, service string, index int) (*ContainerState, error) {
	var cands []*ContainerState
	if r != nil {
		for _, c := range r.st.Containers {
			if c.Service != service || (index > 0 && (c.Number != index || c.Oneoff())) {
				continue
			}
			if st, err := r.eng.State(c.ID); err == nil && isLive(st.Status) {
				cands = append(cands, c)
			}
		}
	}
	if len(cands) == 0 && index > 0 {
		return nil, fmt.Errorf("service %q is not running container #%d: %w", service, index, ErrNotFound)
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("service %q is not running: %w", service, ErrNotFound)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].Oneoff() != cands[j].Oneoff() {
			return !cands[i].Oneoff()
		}
		return cands[i].Number < cands[j].Number
	})
	c := cands[0]
	if st, err := r.eng.State(c.ID); err == nil && st.Status == engine.StatusPaused {
		return nil, fmt.Errorf("you cannot attach to a paused container, unpause it first: %w", ErrInvalid)
	}
	return c, nil
}

// attachOneStdin copies opts.Stdin into c's stdin, watching for the detach keys when
// it has a tty (as Docker, which looks for them in tty mode only): closes detached
// when they are typed. Stdin handed out before is a warning, not an error.
func (r *run) attachOneStdin(c *ContainerState, tty bool, opts AttachOneOptions, detached chan struct{}) (func(), error) {
	var wrap func(io.Writer) io.Writer
	if tty {
		keys := opts.DetachKeys
		if keys == nil {
			keys = DefaultDetachKeys
		}
		wrap = func(w io.Writer) io.Writer {
			ew := newEscapeWriter(w, keys)
			go func() {
				<-ew.detached
				close(detached)
			}()
			return ew
		}
	}
	ro := RunOptions{Stdin: opts.Stdin, Stdout: opts.Stdout, Interactive: true, NoTTY: !tty}
	stop, err := r.attachStdin(c, ro, wrap)
	if errors.Is(err, engine.ErrInvalid) {
		if opts.Warnings != nil {
			fmt.Fprintf(opts.Warnings, "stdin of container %s was attached once since it started (berth hands it out once): attaching its output only\n", c.Name)
		}
		return func() {}, nil
	}
	return stop, err
}

// forwardSignals sends the signals berth receives to container id until the
// returned function is called.
func forwardSignals(eng *engine.Engine, id string) func() {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for sig := range sigs {
			eng.Kill(id, sig.(syscall.Signal))
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(sigs)
	}
}

// followOutput copies what c writes from since on to stdout and stderr, as it wrote
// it, until it exits or detached is closed.
func (r *run) followOutput(c *ContainerState, since time.Time, stdout, stderr io.Writer, detached <-chan struct{}) error {
	err := r.eng.Logs(c.ID, engine.LogOptions{Follow: true, Since: since}, func(e engine.LogEntry) error {
		select {
		case <-detached:
			return ErrDetached
		default:
		}
		w := stdout
		if e.Stream == "stderr" {
			w = stderr
		}
		if w == nil {
			return nil
		}
		_, err := io.WriteString(w, e.Log)
		return err
	})
	if err != nil && !errors.Is(err, ErrDetached) {
		return fmt.Errorf("output of %s: %w", describe(c), err)
	}
	return nil
}
