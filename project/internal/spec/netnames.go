package spec

import (
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project/internal/plan"
)

// NetAliases maps each network a container of svc is on (full name) to its aliases
// there: networks.X.aliases of that network only, after the service's name when
// withService (run --use-aliases, whose container has no service name of its own).
func NetAliases(p *compose.Project, svc compose.ServiceConfig, withService bool) map[string][]string {
	out := map[string][]string{}
	for _, n := range plan.ServiceNetworks(svc) {
		var aliases []string
		if withService {
			aliases = append(aliases, svc.Name)
		}
		if sn := svc.Networks[n]; sn != nil {
			aliases = append(aliases, sn.Aliases...)
		}
		if len(aliases) > 0 {
			out[plan.NetworkName(p, n)] = aliases
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Links are the names only the container number of svc resolves, each to the name of
// the container it stands for, as Compose passes them to Docker (getLinks): for
// links: [S] and [S:alias], the link name, S-<number> and <project>-S-<number>, to the
// first container of S (containers lists S's container names by number; Docker keeps
// the last of Compose's newest-first list); for external_links: [C] and [C:alias],
// the alias to the container C as written.
func Links(project string, svc compose.ServiceConfig, number int, containers func(service string) []string) map[string]string {
	out := map[string]string{}
	for _, l := range svc.Links {
		target, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = target
		}
		names := containers(target)
		if len(names) == 0 {
			continue
		}
		n := strconv.Itoa(number)
		for _, a := range []string{alias, target + "-" + n, project + "-" + target + "-" + n} {
			out[a] = names[0]
		}
	}
	for _, l := range svc.ExternalLinks {
		target, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = target
		}
		out[alias] = target
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
