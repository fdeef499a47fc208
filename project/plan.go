package project

import (
	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/plan"
)

// The planner lives in internal/plan; these are its names in the package's API.
type (
	// ActionKind is what one step of a plan does.
	ActionKind = plan.ActionKind
	// Action is one step of a plan: a network, a volume or a container and what to do.
	Action = plan.Action
	// Plan is the ordered list of actions Up runs.
	Plan = plan.Plan
	// PlanOptions change how a plan treats existing containers.
	PlanOptions = plan.Options
)

// The steps a plan is made of.
const (
	ActCreateNetwork = plan.ActCreateNetwork
	ActCreateVolume  = plan.ActCreateVolume
	ActCreate        = plan.ActCreate
	ActRecreate      = plan.ActRecreate
	ActStart         = plan.ActStart
	ActKeep          = plan.ActKeep
	ActRemove        = plan.ActRemove
)

// MakePlan compares the project with its recorded state (nil: never brought up) and
// the containers' statuses (by ID) and returns what Up must do. It does no I/O.
func MakePlan(p *compose.Project, st *State, status map[string]engine.Status, opts PlanOptions) (Plan, error) {
	return plan.Make(p, st, status, opts)
}

// Compose's naming rules and the plan's scope, from internal/plan.
var (
	planServices = plan.Services
	replicas     = plan.Replicas
	volumeName   = plan.VolumeName
	isLive       = plan.IsLive
)
