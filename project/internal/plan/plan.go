package plan

import (
	"maps"
	"slices"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

// ActionKind is what one step of a plan does.
type ActionKind string

// The steps a plan is made of.
const (
	ActCreateNetwork ActionKind = "create network"
	ActCreateVolume  ActionKind = "create volume"
	ActCreate        ActionKind = "create container"
	ActRecreate      ActionKind = "recreate container"
	ActStart         ActionKind = "start container"
	ActKeep          ActionKind = "keep container"
	ActRemove        ActionKind = "remove container"
)

// Action is one step of a plan: a network, a volume or a container and what to do with it.
type Action struct {
	Kind    ActionKind
	Name    string // network, volume or container name
	Service string // containers only
	Number  int    // containers only
	Reason  string // why, for recreate and remove
}

// String prints the action as one line, e.g. `recreate container p-web-1 (config changed)`.
func (a Action) String() string {
	s := string(a.Kind) + " " + a.Name
	if a.Reason != "" {
		s += " (" + a.Reason + ")"
	}
	return s
}

// Plan is the ordered list of actions Up runs: networks, volumes, then containers in
// start order (level by level, services sorted, replicas in order), then removals.
type Plan []Action

// String prints one action per line.
func (p Plan) String() string {
	var b strings.Builder
	for _, a := range p {
		b.WriteString(a.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Options change how a plan treats existing containers.
type Options struct {
	Services []string // empty: every service
	NoDeps   bool     // only the named services, not their dependencies
	// ForceRecreate recreates the containers of the named services (every service
	// when none is named); AlwaysRecreateDeps those of their dependencies too, which
	// are otherwise recreated only when they diverged, as Compose does.
	ForceRecreate      bool
	AlwaysRecreateDeps bool
	NoRecreate         bool
	RemoveOrphans      bool
	Scale              map[string]int
	ExistingVolume     func(name string) bool // nil: none exists
	// Images maps a service to the ID of the image its containers are to run; a
	// container whose com.docker.compose.image label differs is recreated, as
	// Compose does. A service missing from it (nil: every one) is not compared.
	Images map[string]string
	// Oneoff, when set, is the name of a one-off container (`run`) of the selected
	// services: the plan creates it, and what it needs, instead of their replicas.
	Oneoff string
}

// Services are the services a plan covers: the selected ones and, unless NoDeps,
// their dependencies; every service when none is selected.
func Services(p *compose.Project, opts Options) []string {
	if !opts.NoDeps {
		return p.Closure(opts.Services)
	}
	if len(opts.Services) == 0 {
		return p.ServiceNames()
	}
	return opts.Services
}

// Make compares the project with its recorded state (nil: never brought up) and the
// containers' statuses (by ID) and returns what Up must do. It does no I/O.
func Make(p *compose.Project, st *state.State, status map[string]engine.Status, opts Options) (Plan, error) {
	if st == nil {
		st = &state.State{}
	}
	services := Services(p, opts)
	var plan Plan
	plan = append(plan, networkActions(p, st, services)...)
	plan = append(plan, volumeActions(p, services, opts.ExistingVolume)...)
	selected := map[string]bool{}
	for _, s := range services {
		selected[s] = true
	}
	for _, level := range p.StartLevels() {
		for _, name := range level {
			if !selected[name] {
				continue
			}
			if opts.Oneoff != "" {
				plan = append(plan, Action{Kind: ActCreate, Name: opts.Oneoff, Service: name})
				continue
			}
			acts, err := serviceActions(p, st, status, name, opts, plan)
			if err != nil {
				return nil, err
			}
			plan = append(plan, acts...)
		}
	}
	if opts.RemoveOrphans {
		for _, c := range Orphans(p, st) {
			plan = append(plan, Action{Kind: ActRemove, Name: c.Name, Service: c.Service, Number: c.Number, Reason: "orphan"})
		}
	}
	return plan, nil
}

// Orphans are the containers st records of services p's files do not declare (any
// more), in st's order: those --remove-orphans removes and Up warns about otherwise.
// Services left out by profiles or by a selection (`up web`) are not orphans, nor are
// one-off containers.
func Orphans(p *compose.Project, st *state.State) []*state.ContainerState {
	var out []*state.ContainerState
	for _, c := range st.Containers {
		if _, ok := p.Services[c.Service]; !ok && !c.Oneoff() && !slices.Contains(p.Disabled, c.Service) {
			out = append(out, c)
		}
	}
	return out
}

func networkActions(p *compose.Project, st *state.State, services []string) []Action {
	used := map[string]bool{}
	for _, s := range services {
		for _, n := range ServiceNetworks(p.Services[s]) {
			used[n] = true
		}
	}
	var out []Action
	for _, n := range slices.Sorted(maps.Keys(used)) {
		if p.Networks[n].External {
			continue
		}
		if _, ok := st.Networks[n]; !ok {
			out = append(out, Action{Kind: ActCreateNetwork, Name: NetworkName(p, n)})
		}
	}
	return out
}

func volumeActions(p *compose.Project, services []string, exists func(string) bool) []Action {
	used := map[string]bool{}
	for _, s := range services {
		for _, v := range p.Services[s].Volumes {
			if v.Type == "volume" && v.Source != "" {
				used[v.Source] = true
			}
		}
	}
	var out []Action
	for _, v := range slices.Sorted(maps.Keys(used)) {
		full := VolumeName(p, v)
		if !p.Volumes[v].External && (exists == nil || !exists(full)) {
			out = append(out, Action{Kind: ActCreateVolume, Name: full})
		}
	}
	return out
}

// serviceActions decides, replica by replica, to create, recreate, start or keep, and
// removes replicas above the wanted count.
// Those sharing a namespace with another service's container are recreated when plan
// (the actions so far) gives that one a new container.
func serviceActions(p *compose.Project, st *state.State, status map[string]engine.Status, name string, opts Options, plan Plan) ([]Action, error) {
	svc := p.Services[name]
	want := Replicas(svc)
	if n, ok := opts.Scale[name]; ok {
		want = n
	}
	hash, err := p.ServiceHash(name)
	if err != nil {
		return nil, err
	}
	var out []Action
	for n := 1; n <= want; n++ {
		a := Action{Kind: ActCreate, Name: ContainerName(p.Name, svc, n), Service: name, Number: n}
		if c := st.Container(name, n); c != nil {
			a.Kind, a.Reason = replicaAction(c, hash, opts.Images[name], status[c.ID], opts)
			if x := sharedChanged(plan, st, svc, c); x != "" && a.Kind != ActRecreate && !opts.NoRecreate {
				a.Kind, a.Reason = ActRecreate, "service "+x+" has a new container"
			}
		}
		out = append(out, a)
	}
	for _, c := range st.ServiceContainers(name) {
		if c.Number > want {
			out = append(out, Action{Kind: ActRemove, Name: c.Name, Service: name, Number: c.Number, Reason: "scaled down"})
		}
	}
	return out, nil
}

// forced reports whether opts force the recreation of service's containers: a named
// service (or any when none is named) with ForceRecreate, a dependency with
// AlwaysRecreateDeps.
func forced(opts Options, service string) bool {
	if len(opts.Services) == 0 || slices.Contains(opts.Services, service) {
		return opts.ForceRecreate
	}
	return opts.AlwaysRecreateDeps
}

// replicaAction decides for an existing replica: recreated when forced or when its
// config or image diverged (unless NoRecreate), kept while it runs, started when it
// was created or stopped (exited), recreated when the engine lost it.
func replicaAction(c *state.ContainerState, hash, imageID string, s engine.Status, opts Options) (ActionKind, string) {
	switch {
	case forced(opts, c.Service):
		return ActRecreate, "forced"
	case c.ConfigHash() != hash && !opts.NoRecreate:
		return ActRecreate, "config changed"
	case imageID != "" && c.Labels[state.LabelImage] != imageID && !opts.NoRecreate:
		return ActRecreate, "image changed"
	case IsLive(s):
		return ActKeep, ""
	case s == "":
		return ActRecreate, "container missing"
	}
	// Created or exited: started again with its writable layer, as Compose does.
	return ActStart, ""
}
