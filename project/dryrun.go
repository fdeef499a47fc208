package project

import (
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/berth-dev/berth/engine"
)

// DryRunOptions say which verb DryRun shows and on what.
type DryRunOptions struct {
	// Verb is one of DryRunVerbs.
	Verb     string
	Services []string // only these services' containers; empty: all
	Volumes  bool     // down -v: the named volumes too
	Stopped  bool     // rm -s: running containers too (they are stopped first)
}

// dryRunSteps are, per verb, the status lines of each container it acts on, and which
// containers those are (by whether they run).
var dryRunSteps = map[string]struct {
	texts []string
	acts  func(live bool, o DryRunOptions) bool
}{
	"down":    {[]string{"Stopping", "Stopped", "Removing", "Removed"}, func(bool, DryRunOptions) bool { return true }},
	"stop":    {[]string{"Stopping", "Stopped"}, func(live bool, _ DryRunOptions) bool { return live }},
	"start":   {[]string{"Starting", "Started"}, func(live bool, _ DryRunOptions) bool { return !live }},
	"restart": {[]string{"Restarting", "Started"}, func(bool, DryRunOptions) bool { return true }},
	"kill":    {[]string{"Killing", "Killed"}, func(live bool, _ DryRunOptions) bool { return live }},
	"pause":   {[]string{"Pausing", "Paused"}, func(live bool, _ DryRunOptions) bool { return live }},
	"unpause": {[]string{"Unpausing", "Unpaused"}, func(live bool, _ DryRunOptions) bool { return live }},
	"rm":      {[]string{"Removing", "Removed"}, func(live bool, o DryRunOptions) bool { return !live || o.Stopped }},
}

// DryRunVerbs are the verbs DryRun knows, sorted.
var DryRunVerbs = func() []string {
	var v []string
	for k := range dryRunSteps {
		v = append(v, k)
	}
	sort.Strings(v)
	return v
}()

// DryRun writes to progress the status lines opts.Verb would print for project name
// and changes nothing, as Compose's --dry-run: it reads the recorded state and the
// containers' status only (a project never brought up prints nothing). An unknown
// verb is an error wrapping ErrInvalid.
func DryRun(cfg Config, name string, opts DryRunOptions, progress io.Writer) error {
	steps, ok := dryRunSteps[opts.Verb]
	if !ok {
		return fmt.Errorf("dry run of %q: %w", opts.Verb, ErrInvalid)
	}
	st, err := cfg.LoadState(name)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	eng := cfg.engine()
	ctrs := slices.Clone(st.Containers)
	sort.Slice(ctrs, func(i, j int) bool { return ctrs[i].Name < ctrs[j].Name })
	for _, c := range ctrs {
		if len(opts.Services) > 0 && !slices.Contains(opts.Services, c.Service) {
			continue
		}
		es, err := eng.State(c.ID)
		live := err == nil && isLive(es.Status)
		if opts.Verb == "unpause" {
			live = err == nil && es.Status == engine.StatusPaused
		}
		if !steps.acts(live, opts) {
			continue
		}
		for _, text := range steps.texts {
			fmt.Fprintf(progress, " Container %s  %s\n", c.Name, text)
		}
	}
	if opts.Verb == "down" && len(opts.Services) == 0 {
		dryRunDownObjects(st, opts, progress)
	}
	return nil
}

// dryRunDownObjects are the lines of the networks, and with -v the volumes, down removes.
func dryRunDownObjects(st *State, opts DryRunOptions, progress io.Writer) {
	var nets, vols []string
	for _, n := range st.Networks {
		if !n.External {
			nets = append(nets, n.Name)
		}
	}
	if opts.Volumes {
		for _, v := range st.Volumes {
			vols = append(vols, v)
		}
	}
	sort.Strings(nets)
	sort.Strings(vols)
	for _, n := range nets {
		fmt.Fprintf(progress, " Network %s  Removing\n Network %s  Removed\n", n, n)
	}
	for _, v := range vols {
		fmt.Fprintf(progress, " Volume %s  Removing\n Volume %s  Removed\n", v, v)
	}
}
