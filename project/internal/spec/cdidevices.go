package spec

import (
	"errors"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/devreq"
)

// cdiDevices adds to s what the CDI devices svc asks for give it (gpus:, GPU and cdi
// device requests, devices: CDI names; see devreq): device nodes, mounts, environment
// and groups. CheckSupported refused the requests the host cannot serve.
func cdiDevices(svc compose.ServiceConfig, s *engine.Spec) error {
	reqs, err := devreq.Requests(svc)
	if err != nil || len(reqs) == 0 {
		return err
	}
	ed, errs := devreq.Resolve(devreq.SpecDirs(), reqs)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	s.Devices = append(s.Devices, ed.Devices...)
	s.Mounts = sortMounts(append(s.Mounts, ed.Mounts...))
	s.Env = append(s.Env, ed.Env...)
	s.GroupAdd = append(s.GroupAdd, ed.GroupAdd...)
	return nil
}

// cdiErrors lists the CDI device requests of svc that this host cannot serve, each at
// its field, naming the device missing and where CDI specs were looked for.
func cdiErrors(p *compose.Project, svc compose.ServiceConfig) compose.ErrorList {
	var out compose.ErrorList
	reqs, err := devreq.Requests(svc)
	var e *devreq.Error
	if err != nil {
		if errors.As(err, &e) {
			return append(out, p.ErrorAt(e.Path, "%s", e.Msg))
		}
		return append(out, p.ErrorAt("services."+svc.Name, "%v", err))
	}
	_, errs := devreq.Resolve(devreq.SpecDirs(), reqs)
	for _, err := range errs {
		if errors.As(err, &e) {
			out = append(out, p.ErrorAt(e.Path, "service %q: %s", svc.Name, e.Msg))
		}
	}
	return out
}

// cdiWarnings lists the OCI hooks the CDI specs ask for the project's devices, which
// berth does not run, at each service's request.
func cdiWarnings(p *compose.Project) []compose.Warning {
	var out []compose.Warning
	for _, name := range p.ServiceNames() {
		reqs, err := devreq.Requests(p.Services[name])
		if err != nil {
			continue
		}
		for _, r := range reqs {
			ed, _ := devreq.Resolve(devreq.SpecDirs(), []devreq.Request{r})
			for _, h := range ed.Hooks {
				out = append(out, p.WarningAt(r.Path, "the CDI spec's hook "+h+" is not run (berth runs no OCI hooks)"))
			}
		}
	}
	return out
}
