package project

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/apply"
	"github.com/berth-dev/berth/project/internal/eventlog"
	"github.com/berth-dev/berth/project/internal/spec"
)

const defaultStopGrace = 10 * time.Second

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// createContainer records, then makes, the container of action a: its netns attached to
// its networks, published ports, and the engine container (not started).
// anon are the anonymous volumes it inherits from the container it replaces (see
// handOver); it gets fresh ones for the other paths.
func (r *run) createContainer(ctx context.Context, a Action, img resolvedImage, files []string, anon map[string]string) (*ContainerState, error) {
	svc := r.p.Services[a.Service]
	hash, err := r.p.ServiceHash(a.Service)
	if err != nil {
		return nil, err
	}
	c := newContainerState(r.p, svc, a.Name, a.Number, hash, img, files)
	restart := restartPolicy(svc)
	c.Restart = &restart
	c.NetAliases = spec.NetAliases(r.p, svc, false)
	r.mu.Lock()
	c.Links = spec.Links(r.p.Name, svc, a.Number, r.containerNames)
	r.st.Containers = append(r.st.Containers, c)
	r.mu.Unlock()
	apply.TakeOver(r.target(), &r.mu, c, anon)
	if err := r.save(); err != nil {
		return nil, err
	}
	res, err := r.ensureResources(ctx, c, svc, img)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", describe(c), err)
	}
	spec, err := containerSpec(r.cfg, r.p, c, svc, img, res)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", describe(c), err)
	}
	if err := r.eng.Create(spec); err != nil {
		return nil, fmt.Errorf("create %s: %w", describe(c), err)
	}
	r.event(eventlog.Of(c, "create", nil))
	return c, r.save()
}

// containerNames lists the names of service's containers, by number. r.mu is held.
func (r *run) containerNames(service string) []string {
	var out []string
	for _, c := range r.st.ServiceContainers(service) {
		out = append(out, c.Name)
	}
	return out
}

// newContainerState is the record of a new container of svc, with a fresh ID and
// Compose's labels; the caller adds what differs between replicas and one-offs.
func newContainerState(p *compose.Project, svc compose.ServiceConfig, name string, number int, hash string, img resolvedImage, files []string) *ContainerState {
	id := newID()
	c := &ContainerState{ID: id, Name: name, Service: svc.Name, Number: number, Image: ImageName(p, svc.Name),
		Command: svc.Command, Labels: containerLabels(p, svc, number, hash, files),
		Hostname: firstNonEmpty(svc.Hostname, id[:12]), Created: time.Now().Unix(),
		Health: healthSpec(svc, img.img.Config.Config.Healthcheck), StopGrace: defaultStopGrace,
		Addresses: map[string]string{}, DNS: svc.DNS}
	c.Labels[LabelImage] = img.img.ID
	c.Exposed = exposedPorts(svc, img.img.Config.Config.ExposedPorts)
	if svc.StopGracePeriod != nil {
		c.StopGrace = time.Duration(*svc.StopGracePeriod)
	}
	// Docker's precedence: stop_signal, the image's STOPSIGNAL, SIGTERM (0).
	if sig := firstNonEmpty(svc.StopSignal, img.img.Config.Config.StopSignal); sig != "" {
		c.StopSignal = int(parseSignal(sig))
	}
	return c
}

// ensureResources makes, recording each in state first, what container c of svc needs
// before its spec can be built: its anonymous volumes, its missing bind sources, its
// written secrets and configs, its network namespace attached to its networks with its
// ports published (or the container whose network it joins), and the exit hook of its
// restart policy.
func (r *run) ensureResources(ctx context.Context, c *ContainerState, svc compose.ServiceConfig, img resolvedImage) (spec.Resources, error) {
	var res spec.Resources
	var err error
	if res.Anon, err = apply.EnsureAnonymous(r.target(), &r.mu, c, anonymousTargets(svc, img.img.Config.Config), newID); err != nil {
		return res, err
	}
	if err := ensureBindSources(svc); err != nil {
		return res, err
	}
	if res.Objects, err = r.cfg.objectMounts(r.p, svc); err != nil {
		return res, err
	}
	if res.ImageLayers, err = r.imageLayers(ctx, svc); err != nil {
		return res, err
	}
	if spec.IsContainerRef(svc.NetworkMode) {
		if res.NetPeer, err = r.peerSpec(c, "network_mode", svc.NetworkMode); err != nil {
			return res, err
		}
		r.mu.Lock()
		c.Hostname = res.NetPeer.Hostname
		r.mu.Unlock()
	}
	if res.IPCPeer, res.PIDPeer, err = r.namespacePeers(c, svc); err != nil {
		return res, err
	}
	if res.VolumesFrom, err = r.volumesFrom(c, svc); err != nil {
		return res, err
	}
	if svc.Uts == "host" { // its /etc/hostname says what hostname says, as Docker's
		host, _ := os.Hostname()
		r.mu.Lock()
		c.Hostname = host
		r.mu.Unlock()
	}
	if res.Addrs, res.Gateway, err = apply.Attach(ctx, r.target(), &r.mu, r.nd, c, svc); err != nil {
		return res, err
	}
	if res.Gateway.IsValid() || svc.NetworkMode == "host" {
		res.HostResolvConf, _ = os.ReadFile("/etc/resolv.conf")
	}
	if c.Restart.Restarts() {
		if res.ExitHook, res.ExitHookEnv, err = r.cfg.exitHook(r.st.Name); err != nil {
			return res, err
		}
		// The hook is skipped while a supervisor runs.
		if res.Socket, err = r.cfg.socketPath(r.st.Name); err != nil {
			return res, err
		}
	}
	return res, nil
}

// removeContainer stops and removes the container, its netns and its anonymous volumes
// (except those handed over to its replacement), then forgets it. A nil
// container or one already gone is success.
func (r *run) removeContainer(ctx context.Context, c *ContainerState, timeout time.Duration) error {
	if c == nil {
		return nil
	}
	r.printf(" Container %s  Removing\n", c.Name)
	if err := r.dropContainer(ctx, c, timeout); err != nil {
		return err
	}
	r.printf(" Container %s  Removed\n", c.Name)
	return nil
}

// dropContainer is removeContainer without its status lines.
func (r *run) dropContainer(ctx context.Context, c *ContainerState, timeout time.Duration) error {
	if err := r.markStopping(c); err != nil {
		return err
	}
	grace := c.StopGrace
	if timeout > 0 {
		grace = timeout
	}
	if _, err := r.stopEngine(c, grace); err != nil && !errors.Is(err, engine.ErrNotFound) {
		return fmt.Errorf("stop %s: %w", describe(c), err)
	}
	// The network namespace goes meanwhile, by ID even when c.NetNS is unset: a kill -9
	// between the driver's record of the namespace and ours leaves one only the driver
	// knows. A missing one is success.
	netnsGone := make(chan error, 1)
	go func() {
		if r.nd != nil {
			netnsGone <- r.nd.DeleteNetns(c.ID)
		}
		close(netnsGone)
	}()
	err := r.eng.Remove(c.ID, true)
	if errors.Is(err, engine.ErrNotFound) {
		err = nil
	}
	if err != nil {
		<-netnsGone
		return fmt.Errorf("remove %s: %w", describe(c), err)
	}
	if err := <-netnsGone; err != nil {
		if !r.tearingDown {
			return fmt.Errorf("remove network namespace of %s: %w", describe(c), err)
		}
		r.mu.Lock()
		r.netnsLeft = append(r.netnsLeft, c.ID)
		r.mu.Unlock()
	}
	r.event(eventlog.Of(c, "destroy", nil))
	if err := apply.RemoveAnonymous(r.target(), &r.mu, c); err != nil {
		return fmt.Errorf("remove %s: %w", describe(c), err)
	}
	r.mu.Lock()
	r.st.RemoveContainer(c.ID)
	tearingDown := r.tearingDown
	r.mu.Unlock()
	if tearingDown {
		return nil // Down saves once they are all gone (a state larger than the truth is safe: see run.tearingDown)
	}
	return r.save()
}

// parseSignal is ParseSignal for stop_signal, lenient: any number is taken as is and
// unknown names give SIGTERM.
func parseSignal(s string) syscall.Signal {
	if n, err := strconv.Atoi(s); err == nil {
		return syscall.Signal(n)
	}
	if sig, err := ParseSignal(s); err == nil {
		return sig
	}
	return syscall.SIGTERM
}
