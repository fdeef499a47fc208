package project

import (
	"context"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

// PlanUp returns the plan Up would run with opts and changes nothing, as `up --dry-run`:
// it plans with what Up plans with (the recorded state, the containers' statuses, the
// volumes that exist) and makes the checks Up makes before creating anything (settings,
// name and host port conflicts, external volumes). It builds and pulls nothing: a
// container is compared with the image of its service in the local store, and one
// whose image is missing is not compared.
func PlanUp(ctx context.Context, cfg Config, p *compose.Project, opts PlanOptions) (Plan, error) {
	if err := cfg.checkServices(p, planServices(p, opts)); err != nil {
		return nil, err
	}
	st, err := cfg.stateFor(p, nil)
	if err != nil {
		return nil, err
	}
	images, err := cfg.localImageIDs(p, opts)
	if err != nil {
		return nil, err
	}
	plan, err := cfg.planWith(p, st, images, opts)
	if err != nil {
		return nil, err
	}
	return plan, cfg.checkPlan(p, plan)
}

// planWith is the one planning step of Up, Run (its dependencies through Up, its
// one-off with opts.Oneoff) and PlanUp: MakePlan over state st, the containers'
// statuses read from the engine, the volumes that exist and images, the
// image ID each service's containers are to run.
func (cfg Config) planWith(p *compose.Project, st *State, images map[string]string, opts PlanOptions) (Plan, error) {
	opts.ExistingVolume = cfg.volumeExists
	opts.Images = images
	var status map[string]engine.Status
	if opts.Oneoff == "" { // a one-off's plan compares no container
		status = containerStatuses(cfg.engine(), st)
	}
	return MakePlan(p, st, status, opts)
}

// checkPlan fails, before anything is made, when a container the plan creates would
// take a name or host port another holds or use an external volume that is missing.
func (cfg Config) checkPlan(p *compose.Project, plan Plan) error {
	if err := cfg.checkConflicts(p, plan); err != nil {
		return err
	}
	return checkExternal(cfg, p, plan)
}

// containerStatuses maps the ID of each container st records to its status in the
// engine, leaving out those the engine does not know.
func containerStatuses(eng *engine.Engine, st *State) map[string]engine.Status {
	status := map[string]engine.Status{}
	for _, c := range st.Containers {
		if s, err := eng.State(c.ID); err == nil {
			status[c.ID] = s.Status
		}
	}
	return status
}
