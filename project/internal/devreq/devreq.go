// Package devreq resolves the devices a service asks for through CDI (the Container
// Device Interface), as Docker with CDI does: gpus:, deploy.resources.reservations.
// devices with capabilities [gpu] (NVIDIA's CDI kind nvidia.com/gpu: count all is
// "nvidia.com/gpu=all", device_ids name devices, a count takes the first devices
// by name) or driver cdi (device_ids are CDI names), and devices: entries that are CDI
// names (vendor.com/class=name). It reads the CDI specs of the host (/etc/cdi,
// /var/run/cdi, or BERTH_CDI_SPEC_DIRS) with the CDI project's library and returns
// what they give the container as engine terms: device nodes, bind mounts,
// environment and additional groups. A device no spec names is an error naming the
// request's field; the specs' OCI hooks are not run (berth runs no OCI hooks), which
// Resolve reports for a warning.
//
// It imports compose and engine types only; it makes nothing.
package devreq

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	cdilib "tags.cncf.io/container-device-interface/pkg/cdi"
	"tags.cncf.io/container-device-interface/pkg/parser"
	cdispec "tags.cncf.io/container-device-interface/specs-go"
)

// GPUKind is the CDI kind GPU requests resolve to (NVIDIA's, as Docker's nvidia
// driver with CDI).
const GPUKind = "nvidia.com/gpu"

// SpecDirs are the directories CDI specs are read from: BERTH_CDI_SPEC_DIRS
// (colon-separated), else the CDI defaults /etc/cdi and /var/run/cdi.
func SpecDirs() []string {
	if v := os.Getenv("BERTH_CDI_SPEC_DIRS"); v != "" {
		return strings.Split(v, ":")
	}
	return slices.Clone(cdilib.DefaultSpecDirs)
}

// Request is one request of a service for CDI devices.
type Request struct {
	Path  string   // its field, like services.web.gpus[0]
	Names []string // fully qualified CDI names asked for
	Kind  string   // with Count: the kind whose first Count devices are asked for
	Count int
}

// Requests lists the CDI device requests of svc, in field order. Other device
// requests (no gpu capability, another driver) are not among them: compose warns of
// them.
func Requests(svc compose.ServiceConfig) ([]Request, error) {
	base := "services." + svc.Name
	var out []Request
	for i, d := range svc.Devices {
		if !strings.HasPrefix(d.Source, "/") {
			out = append(out, Request{Path: fmt.Sprintf("%s.devices[%d]", base, i), Names: []string{d.Source}})
		}
	}
	for i, g := range svc.Gpus {
		r, err := gpuRequest(fmt.Sprintf("%s.gpus[%d]", base, i), g)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if d := svc.Deploy; d != nil && d.Resources.Reservations != nil {
		for i, g := range d.Resources.Reservations.Devices {
			path := fmt.Sprintf("%s.deploy.resources.reservations.devices[%d]", base, i)
			if !IsCDIRequest(g) {
				continue
			}
			r, err := gpuRequest(path, g)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// IsCDIRequest reports whether a deploy device request is one Requests resolves: a
// GPU (capability gpu) or a driver cdi one.
func IsCDIRequest(d compose.DeviceRequest) bool {
	return d.Driver == "cdi" || slices.Contains(d.Capabilities, "gpu")
}

// gpuRequest is the CDI request of a gpus: or deploy device entry.
func gpuRequest(path string, d compose.DeviceRequest) (Request, error) {
	r := Request{Path: path}
	switch d.Driver {
	case "cdi":
		if len(d.IDs) == 0 {
			return r, &Error{Path: path, Msg: "driver cdi needs device_ids, the CDI names of the devices"}
		}
		r.Names = d.IDs
		return r, nil
	case "", "nvidia":
	default:
		return r, &Error{Path: path, Msg: fmt.Sprintf("device driver %q is not supported (nvidia and cdi are, through CDI specs)", d.Driver)}
	}
	switch {
	case len(d.IDs) > 0:
		for _, id := range d.IDs {
			r.Names = append(r.Names, GPUKind+"="+id)
		}
	case d.Count > 0:
		r.Kind, r.Count = GPUKind, int(d.Count)
	default: // all (-1), and 0 without ids as Compose's default
		r.Names = []string{GPUKind + "=all"}
	}
	return r, nil
}

// Error is a request the host's CDI specs cannot serve.
type Error struct {
	Path string // the request's field
	Msg  string
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

// Edits are what the requested devices give a container.
type Edits struct {
	Devices  []engine.Device
	Mounts   []engine.Mount
	Env      []string
	GroupAdd []string
	// Hooks are the OCI hooks the specs ask for (path and arguments), which berth
	// does not run.
	Hooks []string
}

// Resolve resolves the requests against the CDI specs in dirs. It returns every
// request that cannot be served as an *Error (errors.Join of them).
func Resolve(dirs []string, reqs []Request) (Edits, []error) {
	var ed Edits
	if len(reqs) == 0 {
		return ed, nil
	}
	cache, _ := cdilib.NewCache(cdilib.WithSpecDirs(dirs...), cdilib.WithAutoRefresh(false))
	_ = cache.Refresh() // a spec with errors is left out: a missing device names them
	var errs []error
	seen := map[string]bool{}
	for _, r := range reqs {
		names, err := r.resolve(cache.ListDevices())
		if err != nil {
			errs = append(errs, &Error{Path: r.Path, Msg: err.Error() + where(dirs, cache)})
			continue
		}
		for _, n := range names {
			dev := cache.GetDevice(n)
			if dev == nil {
				errs = append(errs, &Error{Path: r.Path, Msg: fmt.Sprintf("no CDI device %q on this host%s", n, where(dirs, cache))})
				continue
			}
			spec := dev.GetSpec()
			if !seen[spec.GetPath()] { // a spec's own edits once
				seen[spec.GetPath()] = true
				ed.add(spec.ContainerEdits)
			}
			ed.add(dev.ContainerEdits)
		}
	}
	return ed, errs
}

// where says where CDI specs were looked for, and the errors of those left out.
func where(dirs []string, cache *cdilib.Cache) string {
	s := " (CDI specs in " + strings.Join(dirs, ", ") + "; a vendor's tool writes them, e.g. nvidia-ctk cdi generate)"
	bad := cache.GetErrors()
	for _, path := range slices.Sorted(maps.Keys(bad)) {
		s += fmt.Sprintf("; %s left out: %v", path, errors.Join(bad[path]...))
	}
	return s
}

// resolve is the fully qualified names r asks for, among the devices listed.
func (r Request) resolve(listed []string) ([]string, error) {
	for _, n := range r.Names {
		if !parser.IsQualifiedName(n) {
			return nil, fmt.Errorf("%q is not a CDI device name (vendor.com/class=name)", n)
		}
	}
	if r.Count == 0 {
		return r.Names, nil
	}
	var names []string
	for _, n := range listed {
		if kind, name, _ := strings.Cut(n, "="); kind == r.Kind && name != "all" {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool { return natLess(names[i], names[j]) })
	if len(names) < r.Count {
		return nil, fmt.Errorf("%d %s devices asked for, %d on this host", r.Count, r.Kind, len(names))
	}
	return names[:r.Count], nil
}

// natLess orders names with numbers by value (gpu=2 before gpu=10).
func natLess(a, b string) bool {
	_, x, _ := strings.Cut(a, "=")
	_, y, _ := strings.Cut(b, "=")
	nx, ex := strconv.Atoi(x)
	ny, ey := strconv.Atoi(y)
	if ex == nil && ey == nil {
		return nx < ny
	}
	return a < b
}

// add takes the edits of a spec or device.
func (ed *Edits) add(e cdispec.ContainerEdits) {
	ed.Env = append(ed.Env, e.Env...)
	for _, d := range e.DeviceNodes {
		host := d.HostPath
		if host == "" {
			host = d.Path
		}
		ed.Devices = append(ed.Devices, engine.Device{PathOnHost: host, PathInContainer: d.Path, Permissions: d.Permissions})
	}
	for _, m := range e.Mounts {
		ed.Mounts = append(ed.Mounts, engine.Mount{Type: "bind", Source: m.HostPath, Target: m.ContainerPath,
			ReadOnly: slices.Contains(m.Options, "ro")})
	}
	for _, g := range e.AdditionalGIDs {
		ed.GroupAdd = append(ed.GroupAdd, strconv.FormatUint(uint64(g), 10))
	}
	for _, h := range e.Hooks {
		ed.Hooks = append(ed.Hooks, strings.Join(append([]string{h.HookName + ":", h.Path}, h.Args...), " "))
	}
}
