package compose

// Jobs (top-level `jobs:`, Compose v5) are containers that run to completion on a
// trigger. Their container keys are a service's, so berth shapes, normalizes, checks
// and prints them as services (paths "jobs.<name>..."), keeps them in Model only, and
// does not run them: Unsupported warns of each.

// missingTriggers is the schema's error for a job without triggers, which Compose
// checks on the files merged so far (a file may add to a job of an earlier one).
const missingTriggers = "missing property 'triggers'"

// jobOrder is the key order of compose-go's JobConfig: name (YAML only), profiles,
// triggers, then its ContainerSpec and WorkloadSpec fields.
var jobOrder = append(append([]string{"name", "profiles", "triggers"},
	containerSpecOrder[:len(containerSpecOrder)-1]...), // less per_replica
	"build", "depends_on", "dockerfile", "expose", "healthcheck", "ports", "stdin_open", "tty")

// shapeJobs shapes the jobs of one file as services are shaped, and writes a
// trigger's schedule given as a crontab string in its long form ({cron: ...}), as
// compose-go does.
func shapeJobs(sh *shaper, m map[string]any) {
	jobs, _ := m["jobs"].(map[string]any)
	for n, j := range jobs {
		jm, ok := j.(map[string]any)
		if !ok {
			continue
		}
		sh.workload("jobs", n, jm)
		trig, _ := jm["triggers"].(map[string]any)
		sched, _ := trig["schedule"].([]any)
		for i, e := range sched {
			if s, ok := e.(string); ok {
				sched[i] = map[string]any{"cron": s}
			}
		}
	}
}

// jobs normalizes the merged jobs as services are; a job whose profiles are not
// enabled is dropped (and the jobs key when none is left). As in Compose, what a job
// refers to (networks, volumes, secrets, configs, services) is not checked and does
// not keep an otherwise unused top-level resource.
func (f *finalizer) jobs(profiles []string) {
	jobs, ok := f.p.Model["jobs"].(map[string]any)
	if !ok {
		if _, has := f.p.Model["jobs"]; has && f.p.Model["jobs"] != nil {
			f.fail("jobs", "must be a mapping")
		}
		delete(f.p.Model, "jobs")
		return
	}
	for n, j := range jobs {
		jm, ok := j.(map[string]any)
		if !ok {
			f.fail("jobs."+n, "must be a mapping, got %v", j)
			continue
		}
		if _, ok := jm["triggers"]; !ok {
			f.fail("jobs."+n, "%s", missingTriggers)
		}
		if !profileEnabled(jm, profiles) {
			delete(jobs, n)
			continue
		}
		f.workload("jobs", n, jm)
	}
	if len(jobs) == 0 {
		delete(f.p.Model, "jobs")
	}
}

// workloadContext is the rendering context of a key inside a job: the same key of a
// service ("*.jobs.*.volumes[]" is rendered as "*.services.*.volumes[]").
func workloadContext(ctx string) string {
	const job, svc = "*.jobs.*.", "*.services.*."
	if len(ctx) > len(job) && ctx[:len(job)] == job {
		return svc + ctx[len(job):]
	}
	return ctx
}

// jobOmit is omitEmpty of compose-go's JobConfig: its ContainerSpec's, and its own
// and its WorkloadSpec's omitempty scalars and lists.
var jobOmit = func() map[string]bool {
	m := set("name", "profiles", "depends_on", "dockerfile", "expose", "ports", "stdin_open", "tty")
	for k := range containerSpecOmit {
		m[k] = true
	}
	return m
}()

// withJobNames is model with each job's name in it, as Compose's YAML prints it
// (compose-go's JobConfig keeps it for YAML, not JSON); model is not changed.
func withJobNames(model map[string]any) map[string]any {
	jobs, _ := model["jobs"].(map[string]any)
	if len(jobs) == 0 {
		return model
	}
	out := make(map[string]any, len(model))
	for k, v := range model {
		out[k] = v
	}
	named := make(map[string]any, len(jobs))
	for n, j := range jobs {
		jm, ok := j.(map[string]any)
		if !ok {
			named[n] = j
			continue
		}
		c := make(map[string]any, len(jm)+1)
		for k, v := range jm {
			c[k] = v
		}
		c["name"] = n
		named[n] = c
	}
	out["jobs"] = named
	return out
}
