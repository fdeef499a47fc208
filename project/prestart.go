package project

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/spec"
)

// pre_start hooks, as Compose v5.6 runs them: each hook is a container of its own (a
// runner named <project>-<service>-pre_start-<i>), made from the hook's full container
// spec (the loader completed it with the service's attributes) and borrowing the
// volumes of the service's lowest-numbered container (volumes_from). The runners run
// one after the other, once per service, when up starts a service none of whose
// containers is kept running (a first up, a recreate, a stopped service), before its
// first container starts. A runner that exits 0 is removed; one that exits otherwise
// fails the service with Compose's message and is kept for inspection (logs,
// inspect) until the next up of the service or down removes it. Runners are recorded
// as one-off containers (ps and the plan leave them out) with Compose's hook labels.

// Compose's labels of a hook runner.
const (
	LabelHook      = "com.docker.compose.hook"
	LabelHookIndex = "com.docker.compose.hook-index"
	hookPreStart   = "pre_start"
)

// isPreStartRunner reports whether c is a pre_start runner of service.
func isPreStartRunner(c *ContainerState, service string) bool {
	return c.Service == service && c.Labels[LabelHook] == hookPreStart
}

// preStartDue reports whether up prepares runners of svc's pre_start hooks: it has
// some, it creates or starts containers, and none of its containers is kept running.
func preStartDue(svc compose.ServiceConfig, acts []Action) bool {
	if len(svc.PreStart) == 0 {
		return false
	}
	for _, a := range acts {
		if a.Kind == ActKeep {
			return false
		}
	}
	return len(acts) > 0
}

// preparePreStart removes svc's runners of an earlier up (kept after a failure, or
// created and never run), then creates a fresh runner per pre_start hook, each
// borrowing donor's volumes; none with a per_replica hook (Compose cannot run those).
func (r *run) preparePreStart(ctx context.Context, svc compose.ServiceConfig, donor *ContainerState) error {
	if err := r.removePreStartRunners(ctx, svc.Name); err != nil {
		return err
	}
	if perReplicaHook(svc) >= 0 {
		return nil
	}
	for i := range svc.PreStart {
		if _, err := r.createPreStartRunner(ctx, svc, i, donor); err != nil {
			return err
		}
	}
	return nil
}

// preparePreStartOf prepares the runners of service's pre_start hooks, its
// lowest-numbered container lending its volumes.
func (r *run) preparePreStartOf(ctx context.Context, service string) error {
	r.mu.Lock()
	cs := r.st.ServiceContainers(service)
	r.mu.Unlock()
	if len(cs) == 0 {
		return nil
	}
	return r.preparePreStart(ctx, r.p.Services[service], cs[0])
}

// runPreStart runs svc's prepared runners in order, removing each that succeeds and
// stopping at the first that fails. A hook without a runner still to run (the runners
// ran at an earlier start) fails with Compose's message.
func (r *run) runPreStart(ctx context.Context, svc compose.ServiceConfig) error {
	if i := perReplicaHook(svc); i >= 0 {
		return fmt.Errorf("service %q pre_start[%d]: per_replica is not yet supported; remove per_replica or set it to false", svc.Name, i)
	}
	for i := range svc.PreStart {
		c := r.preStartRunner(svc.Name, i)
		if c == nil {
			return fmt.Errorf("service %q pre_start[%d]: no hook runner container found — either its runner "+
				"was already consumed by a previous start, or the service's container state changed after "+
				"reconciliation planned this run; run `berth up %s` to prepare fresh runners", svc.Name, i, svc.Name)
		}
		if err := r.execPreStartRunner(c, svc.Name, i); err != nil {
			return err
		}
		if err := r.dropContainer(ctx, c, 0); err != nil {
			return err
		}
	}
	return nil
}

// startPreStart runs, for Start, the prepared runners of service's pre_start hooks
// when none of its containers runs and one is to start, as Compose's start.
func (r *run) startPreStart(ctx context.Context, service string) error {
	svc, ok := r.composeService(service)
	if !ok || len(svc.PreStart) == 0 {
		return nil
	}
	r.mu.Lock()
	cs := r.st.ServiceContainers(service)
	r.mu.Unlock()
	stopped := 0
	for _, c := range cs {
		if st, err := r.eng.State(c.ID); err == nil && !isLive(st.Status) {
			stopped++
		}
	}
	if stopped == 0 || stopped < len(cs) {
		return nil
	}
	return r.runPreStart(ctx, svc)
}

// hasPreStart reports whether a service of p has pre_start hooks (p may be nil).
func hasPreStart(p *compose.Project) bool {
	if p == nil {
		return false
	}
	for _, svc := range p.Services {
		if len(svc.PreStart) > 0 {
			return true
		}
	}
	return false
}

// perReplicaHook is the index of svc's first pre_start hook with per_replica, or -1.
func perReplicaHook(svc compose.ServiceConfig) int {
	for i, h := range svc.PreStart {
		if h.PerReplica {
			return i
		}
	}
	return -1
}

// preStartRunner is the runner of service's i-th pre_start hook that was created and
// never started, or nil.
func (r *run) preStartRunner(service string, i int) *ContainerState {
	r.mu.Lock()
	var found *ContainerState
	for _, c := range r.st.Containers {
		if isPreStartRunner(c, service) && c.Labels[LabelHookIndex] == strconv.Itoa(i) {
			found = c
		}
	}
	r.mu.Unlock()
	if found == nil {
		return nil
	}
	if st, err := r.eng.State(found.ID); err != nil || st.Status != engine.StatusCreated {
		return nil
	}
	return found
}

// removePreStartRunners removes the pre_start runners of service that state records.
func (r *run) removePreStartRunners(ctx context.Context, service string) error {
	r.mu.Lock()
	var old []*ContainerState
	for _, c := range r.st.Containers {
		if isPreStartRunner(c, service) {
			old = append(old, c)
		}
	}
	r.mu.Unlock()
	for _, c := range old {
		if err := r.dropContainer(ctx, c, 0); err != nil {
			return err
		}
	}
	return nil
}

// preStartRunnerService is the service-shaped spec of svc's i-th pre_start hook: the
// hook's own attributes (the service's inherited), no restart policy nor container
// name, and donor's volumes after its own.
func preStartRunnerService(svc compose.ServiceConfig, i int, donor *ContainerState) compose.ServiceConfig {
	h := svc.PreStart[i].ServiceConfig
	h.Name, h.ContainerName, h.Restart, h.Deploy = svc.Name, "", "", nil
	h.VolumesFrom = append(append([]string(nil), h.VolumesFrom...), spec.ContainerPrefix+donor.Name)
	return h
}

// preStartRunnerName is Compose's name of a runner: <project>-<service>-pre_start-<i>.
func preStartRunnerName(project, service string, i int) string {
	return strings.Join([]string{project, service, hookPreStart, strconv.Itoa(i)}, "-")
}

// createPreStartRunner records and creates (does not start) the runner of svc's i-th
// pre_start hook. A runner recorded in state is also returned with an error.
func (r *run) createPreStartRunner(ctx context.Context, svc compose.ServiceConfig, i int, donor *ContainerState) (*ContainerState, error) {
	hs := preStartRunnerService(svc, i, donor)
	img, err := r.hookImage(svc, hs.Image)
	if err != nil {
		return nil, err
	}
	c := newContainerState(r.p, hs, preStartRunnerName(r.p.Name, svc.Name, i), 0, "", img, r.st.ConfigFiles)
	delete(c.Labels, LabelNumber)
	delete(c.Labels, LabelConfigHash)
	c.Labels[LabelOneoff], c.Labels[LabelHook], c.Labels[LabelHookIndex] = "True", hookPreStart, strconv.Itoa(i)
	c.NetAliases = spec.NetAliases(r.p, hs, true)
	r.mu.Lock()
	r.st.Containers = append(r.st.Containers, c)
	r.mu.Unlock()
	if err := r.save(); err != nil {
		return nil, err
	}
	res, err := r.ensureResources(ctx, c, hs, img)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", describe(c), err)
	}
	sp, err := containerSpec(r.cfg, r.p, c, hs, img, res)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", describe(c), err)
	}
	sp.NoLog = false // its output is read from its log (logging driver none too)
	if err := r.eng.Create(sp); err != nil {
		return nil, fmt.Errorf("create %s: %w", describe(c), err)
	}
	return c, r.save()
}

// hookImage is the image of a hook of svc naming ref: the service's own when ref is
// empty or the service's image name, else one resolved before the plan (hookImages).
func (r *run) hookImage(svc compose.ServiceConfig, ref string) (resolvedImage, error) {
	if ref == "" || ref == ImageName(r.p, svc.Name) {
		return r.images[svc.Name], nil
	}
	img, ok := r.hookImages[ref]
	if !ok {
		return img, fmt.Errorf("service %q pre_start: image %q was not resolved: %w", svc.Name, ref, ErrNotFound)
	}
	return img, nil
}

// execPreStartRunner starts runner c, copies its output to the hook output sink (as
// "web pre_start[0] ->") until it exits, and fails as Compose does when it exits
// otherwise than 0 (the end of its stderr, else of its stdout).
func (r *run) execPreStartRunner(c *ContainerState, service string, i int) error {
	if err := r.eng.Start(c.ID); err != nil {
		return fmt.Errorf("start %s: %w", describe(c), err)
	}
	source := fmt.Sprintf("%s %s[%d] ->", service, hookPreStart, i)
	var stdout, stderr lastBytes
	out := r.hookLines(service, source)
	err := r.eng.Logs(c.ID, engine.LogOptions{Follow: true}, func(e engine.LogEntry) error {
		w := io.Writer(&stdout)
		if e.Stream == "stderr" {
			w = &stderr
		}
		io.WriteString(w, e.Log)
		if out != nil {
			out(strings.TrimRight(e.Log, "\n"))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("output of %s: %w", describe(c), err)
	}
	es, err := r.eng.Wait(c.ID)
	if err != nil {
		return fmt.Errorf("wait for %s: %w", describe(c), err)
	}
	if es.ExitCode == 0 {
		return nil
	}
	msg := fmt.Sprintf("service %q pre_start[%d] exited with code %d", service, i, es.ExitCode)
	tail := outputTail(stderr.String())
	if tail == "" {
		tail = outputTail(stdout.String())
	}
	if tail != "" {
		msg += ": " + tail
	}
	return fmt.Errorf("%s (hook container %s retained for inspection)", msg, c.ID[:12])
}

// hookLines is the function printing one output line of a hook of service from
// source, nil without a hook output sink.
func (r *run) hookLines(service, source string) func(string) {
	if r.hookOut == nil {
		return nil
	}
	return func(line string) { r.hookOut(service, source, line) }
}

// resolveHookImages resolves (pulls when missing, or as policy says) the images the
// pre_start hooks of services name that are not their service's image, by name.
func (c Config) resolveHookImages(ctx context.Context, p *compose.Project, services []string, policy imagePolicy, progress io.Writer) (map[string]resolvedImage, error) {
	out := map[string]resolvedImage{}
	for _, name := range services {
		for _, h := range p.Services[name].PreStart {
			ref := h.Image
			if _, done := out[ref]; done || ref == "" || ref == ImageName(p, name) {
				continue
			}
			store, err := c.imageStore()
			if err != nil {
				return nil, err
			}
			img, err := pullIfNeeded(ctx, store, name, ref, firstNonEmpty(policy.Pull, h.PullPolicy), progress, policy.QuietPull)
			if err != nil {
				return nil, err
			}
			layers, err := store.LayerDirs(img)
			if err != nil {
				return nil, fmt.Errorf("service %q pre_start: image %q: %w", name, ref, err)
			}
			out[ref] = resolvedImage{img: img, layers: layers}
		}
	}
	return out, nil
}
