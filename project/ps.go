package project

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
	units "github.com/docker/go-units"
)

// Publisher is one published port, as `docker compose ps --format json` prints it.
type Publisher struct {
	URL           string
	TargetPort    uint16
	PublishedPort uint16
	Protocol      string
}

// ContainerSummary is one container as `ps` reports it (Compose's JSON field names).
type ContainerSummary struct {
	ID       string
	Name     string
	Image    string
	Command  string
	Project  string
	Service  string
	Created  int64
	State    string
	Status   string
	Health   string
	ExitCode int
	// RestartCount is how often the restart policy restarted the container since a
	// command last started it, as `docker inspect`'s RestartCount.
	RestartCount int
	Publishers   []Publisher
	Labels       map[string]string `json:"-"`
	// Networks are the full names of the networks the container is on, sorted.
	Networks []string
	// Mounts name what the container mounts, as Docker's: a volume's name, else a bind
	// mount's host path (berth's own files, /etc/hosts and the like, left out);
	// LocalVolumes counts the volumes.
	Mounts       []string
	LocalVolumes int
}

// PSOptions select containers for PS.
type PSOptions struct {
	All      bool     // include stopped and one-off (`run`) containers, as Compose's -a
	Services []string // only these services; empty: all
	// Status keeps only containers in one of these states (see PSStatuses); it implies
	// All, as Compose's --status.
	Status []string
}

// PS returns the project's containers sorted by service and number, read from state and
// the engine (health is included when a supervisor answers; a killed one is brought
// back first, see restoreSupervisor). A project never brought up yields no containers.
func PS(cfg Config, name string, opts PSOptions) ([]ContainerSummary, error) {
	if err := checkStatuses(opts.Status); err != nil {
		return nil, err
	}
	opts.All = opts.All || len(opts.Status) > 0
	st, err := cfg.LoadState(name)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	cfg.restoreSupervisor(name, st)
	eng := cfg.engine()
	want := map[string]bool{}
	for _, s := range opts.Services {
		want[s] = true
	}
	var health map[string]string
	restarts := newRestartView(cfg, name)
	var out []ContainerSummary
	for _, c := range st.Containers {
		if (len(want) > 0 && !want[c.Service]) || (c.Oneoff() && !opts.All) || c.Labels[LabelHook] != "" {
			continue // pre_start runners are not listed, as Compose's (they have no config hash)
		}
		es, err := eng.State(c.ID)
		if err != nil {
			es = engine.State{Status: "removed"}
		}
		count, restarting := restarts.of(c, es)
		if !isLive(es.Status) && !restarting && !opts.All {
			continue
		}
		if c.Health != nil && health == nil {
			health = cfg.health(name)
		}
		s := summarize(name, c, es, health[c.ID])
		if argv, err := eng.Command(c.ID); err == nil {
			s.Command = strings.Join(argv, " ") // with the image's entrypoint and cmd, as Docker's
		}
		if spec, err := eng.Spec(c.ID); err == nil {
			s.Mounts, s.LocalVolumes = cfg.mountNames(spec.Mounts)
		}
		s.RestartCount = count
		if restarting {
			s.State = StatusRestarting
			s.Status = fmt.Sprintf("Restarting (%d) %s ago", es.ExitCode, humanDuration(time.Since(es.FinishedAt)))
		}
		if matchStatus(s.State, opts.Status) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func summarize(project string, c *ContainerState, es engine.State, health string) ContainerSummary {
	s := ContainerSummary{ID: c.ID, Name: c.Name, Image: c.Image, Command: strings.Join(c.Command, " "),
		Project: project, Service: c.Service, Created: c.Created, State: string(es.Status),
		Health: health, ExitCode: es.ExitCode, Labels: c.Labels}
	for n := range c.Addresses {
		s.Networks = append(s.Networks, n)
	}
	sort.Strings(s.Networks)
	switch es.Status {
	case engine.StatusRunning:
		s.Status = "Up " + humanDuration(time.Since(es.StartedAt))
		if health != "" {
			s.Status += " (" + health + ")"
		}
	case engine.StatusPaused:
		s.Status = "Up " + humanDuration(time.Since(es.StartedAt)) + " (Paused)"
	case engine.StatusExited:
		s.Status = fmt.Sprintf("Exited (%d) %s ago", es.ExitCode, humanDuration(time.Since(es.FinishedAt)))
	default:
		s.Status = strings.ToUpper(string(es.Status[:1])) + string(es.Status[1:])
	}
	published := map[PortState]bool{}
	for _, p := range c.Ports {
		url := p.HostIP
		if url == "" {
			url = "0.0.0.0"
		}
		s.Publishers = append(s.Publishers, Publisher{URL: url, TargetPort: p.ContainerPort, PublishedPort: p.HostPort, Protocol: p.Protocol})
		published[PortState{ContainerPort: p.ContainerPort, Protocol: p.Protocol}] = true
	}
	for _, p := range c.Exposed {
		if !published[p] {
			s.Publishers = append(s.Publishers, Publisher{TargetPort: p.ContainerPort, Protocol: p.Protocol})
		}
	}
	slices.SortStableFunc(s.Publishers, func(a, b Publisher) int {
		return cmp.Or(cmp.Compare(a.TargetPort, b.TargetPort), cmp.Compare(a.Protocol, b.Protocol))
	})
	return s
}

// CreatedSince is the CREATED column of Compose's ps table ("5 seconds ago").
func (s ContainerSummary) CreatedSince() string {
	return humanDuration(time.Since(time.Unix(s.Created, 0))) + " ago"
}

// Ports prints the publishers as Docker does: "0.0.0.0:8080->80/tcp, 443/tcp, ..." (a
// port only exposed has no address).
func (s ContainerSummary) Ports() string {
	var parts []string
	for _, p := range s.Publishers {
		if p.PublishedPort == 0 {
			parts = append(parts, fmt.Sprintf("%d/%s", p.TargetPort, p.Protocol))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s:%d->%d/%s", p.URL, p.PublishedPort, p.TargetPort, p.Protocol))
	}
	return strings.Join(parts, ", ")
}

// humanDuration is how Docker's ps says how long ago: "Less than a second",
// "About a minute", "3 hours", "2 weeks".
func humanDuration(d time.Duration) string { return units.HumanDuration(d) }

// mountNames are a container's mounts as Docker's ps names them: a volume (a directory
// <root>/volumes/NAME/_data) by its name, counted in local, a bind mount by its host
// path; the files berth makes for the container (under <root>/containers) are left out.
func (cfg Config) mountNames(mounts []engine.Mount) (names []string, local int) {
	volumes := filepath.Join(cfg.Root, "volumes") + "/"
	internal := filepath.Join(cfg.Root, "containers") + "/"
	for _, m := range mounts {
		switch {
		case m.Type != "bind" || strings.HasPrefix(m.Source, internal):
		case strings.HasPrefix(m.Source, volumes):
			name, _, _ := strings.Cut(strings.TrimPrefix(m.Source, volumes), "/")
			names = append(names, name)
			local++
		default:
			names = append(names, m.Source)
		}
	}
	return names, local
}
