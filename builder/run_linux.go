package builder

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/berth-dev/berth/builder/dockerfile"
	"github.com/berth-dev/berth/engine"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// RunError is a RUN whose command exited non-zero.
type RunError struct {
	Command  string // the instruction as written, "RUN make"
	ExitCode int
	Output   string // the last lines of its output
}

func (e *RunError) Error() string {
	msg := fmt.Sprintf("%s: exit code %d", e.Command, e.ExitCode)
	if e.Output != "" {
		msg += "\noutput:\n" + e.Output
	}
	return msg
}

// outputTail is how many lines of a failed RUN's output its error repeats.
const outputTail = 20

// run executes RUN in a container on the engine over the stage's layers, then
// records the container's filesystem changes as a layer. The container joins the
// host's network namespace (unless Options.Network is none), so the host's package
// mirrors and proxies are reachable (Docker's builder uses its default bridge
// instead); /etc/hosts (plus Options.ExtraHosts) and /etc/resolv.conf are the host's.
func (b *builder) run(ctx context.Context, st *state, in *dockerfile.Instruction, step *step, states map[int]*state) (cached, layer bool, err error) {
	imageEnv, argEnv := runEnv(st)
	execCtx := append([]string{"user=" + st.cfg.Config.User, "workdir=" + st.cfg.Config.WorkingDir}, imageEnv...)
	execCtx = append(append(execCtx, "args:"), argEnv...)
	execCtx = append(execCtx, b.runSettings()...)
	inputs, err := b.mountInputs(ctx, in, states)
	if err != nil {
		return false, false, err
	}
	key, err := cacheKey(st.key, in, execCtx, inputs)
	if err != nil {
		return false, false, err
	}
	if hit, layer := b.cached(st, key); hit {
		return true, layer, nil
	}
	if b.opts.Engine == nil {
		return false, false, fmt.Errorf("RUN: no container engine given to the builder: %w", ErrInvalid)
	}
	if len(st.dirs) == 0 {
		return false, false, errors.New("RUN: the image has no files (FROM scratch): there is nothing to run")
	}
	lower := st.fs()
	artifacts := mountArtifacts(lower)
	mounts, secretEnv, cleanup, err := b.runMounts(ctx, st, in, states, artifacts)
	if err != nil {
		return false, false, err
	}
	defer cleanup()
	id := "berth-build-" + randomHex(6)
	spec := engine.Spec{
		ID:          id,
		LayerDirs:   st.dirs,
		Image:       v1.Config{Env: imageEnv},
		Entrypoint:  append([]string{}, in.Command.Args...),
		Env:         append(append([]string(nil), argEnv...), secretEnv...),
		WorkingDir:  st.cfg.Config.WorkingDir,
		User:        st.cfg.Config.User,
		Mounts:      mounts,
		HostNetwork: firstNonEmpty(in.Network, b.opts.Network) != "none",
		Hosts:       readHostFile("/etc/hosts") + extraHosts(b.opts.ExtraHosts),
		ResolvConf:  readHostFile("/etc/resolv.conf"),
		ShmSize:     b.opts.ShmSize,
		Ulimits:     b.opts.Ulimits,
		Privileged:  b.opts.Privileged,
	}
	e := b.opts.Engine
	if err := e.Create(spec); err != nil {
		return false, false, fmt.Errorf("RUN: %w", err)
	}
	defer e.Remove(id, true)
	code, output, err := b.runContainer(ctx, e, id, step)
	if err != nil {
		return false, false, err
	}
	if code != 0 {
		return false, false, &RunError{Command: in.Original, ExitCode: code, Output: output}
	}
	upper, err := e.UpperDir(id)
	if err != nil {
		return false, false, fmt.Errorf("RUN: record changes: %w", err)
	}
	desc, err := b.diffLayer(upper, lower, artifacts)
	if err != nil {
		return false, false, fmt.Errorf("RUN: record changes: %w", err)
	}
	if err := e.Remove(id, false); err != nil {
		return false, false, fmt.Errorf("RUN: %w", err)
	}
	if err := b.record(st, key, desc); err != nil {
		return false, false, err
	}
	return false, desc != nil, nil
}

// runSettings are the build's RUN settings that differ from the defaults, for the
// cache key (BuildKit keys an exec by them too).
func (b *builder) runSettings() []string {
	var out []string
	if n := b.opts.Network; n == "none" {
		out = append(out, "network="+n)
	}
	for _, h := range b.opts.ExtraHosts {
		out = append(out, "host="+h)
	}
	if b.opts.ShmSize != 0 {
		out = append(out, fmt.Sprintf("shm=%d", b.opts.ShmSize))
	}
	for _, u := range b.opts.Ulimits {
		out = append(out, fmt.Sprintf("ulimit=%s:%d:%d", u.Name, u.Soft, u.Hard))
	}
	if b.opts.Privileged {
		out = append(out, "privileged")
	}
	return out
}

// runContainer starts the container, streams its output to step and waits for it.
// A cancelled ctx kills it.
func (b *builder) runContainer(ctx context.Context, e *engine.Engine, id string, step *step) (int, string, error) {
	if err := e.Start(id); err != nil {
		return 0, "", fmt.Errorf("RUN: %w", err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			e.Kill(id, syscall.SIGKILL)
		case <-stop:
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	var tail []string
	var partial strings.Builder
	err := e.Logs(id, engine.LogOptions{Follow: true}, func(le engine.LogEntry) error {
		partial.WriteString(le.Log)
		if !strings.HasSuffix(le.Log, "\n") {
			return nil
		}
		line := strings.TrimRight(partial.String(), "\n")
		partial.Reset()
		step.output(line)
		if tail = append(tail, line); len(tail) > outputTail {
			tail = tail[1:]
		}
		return nil
	})
	if err != nil {
		return 0, "", fmt.Errorf("RUN: output: %w", err)
	}
	if partial.Len() > 0 {
		step.output(partial.String())
		tail = append(tail, partial.String())
	}
	es, err := e.Wait(id)
	if err != nil {
		return 0, "", fmt.Errorf("RUN: %w", err)
	}
	if ctx.Err() != nil {
		return 0, "", fmt.Errorf("RUN: %w", ctx.Err())
	}
	return es.ExitCode, strings.Join(tail, "\n"), nil
}

func extraHosts(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func readHostFile(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	return string(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
