package spec

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/project/internal/plan"
	"github.com/berth-dev/berth/project/internal/state"
	units "github.com/docker/go-units"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// This file is the only place that turns compose types into engine and netdriver types.

// logRotation is the service's json log rotation, from logging.options as Docker's
// json-file driver reads them: max-size (bytes, or with a k, m or g suffix, powers of
// 1000; unset: no rotation) and max-file (files kept, default 1, needs max-size). The
// "local" driver, kept as json-file here, rotates by default at 20m with 5 files, as
// Docker's does.
func logRotation(svc compose.ServiceConfig) (size int64, files int, err error) {
	if svc.Logging == nil {
		return 0, 1, nil
	}
	files = 1
	if svc.Logging.Driver == "local" {
		size, files = 20_000_000, 5
	}
	opts := svc.Logging.Options
	if v, ok := opts["max-size"]; ok {
		if size, err = units.FromHumanSize(v); err != nil || size <= 0 {
			return 0, 0, fmt.Errorf("max-size %q: not a size: %w", v, state.ErrInvalid)
		}
	}
	if v, ok := opts["max-file"]; ok {
		if files, err = strconv.Atoi(v); err != nil || files < 1 {
			return 0, 0, fmt.Errorf("max-file %q: not a number of files ≥ 1: %w", v, state.ErrInvalid)
		}
		if files > 1 && size == 0 {
			return 0, 0, fmt.Errorf("max-file %q needs max-size: %w", v, state.ErrInvalid)
		}
	}
	return size, files, nil
}

// ExposedPorts are the ports the image exposes and the service's expose: entries ("80",
// "53/udp", "8000-8010"), each once, sorted; entries that are not ports (the loader
// checked them) are skipped.
func ExposedPorts(svc compose.ServiceConfig, image map[string]struct{}) []state.PortState {
	seen := map[state.PortState]bool{}
	var out []state.PortState
	add := func(spec string) {
		ports, proto, _ := strings.Cut(spec, "/")
		if proto == "" {
			proto = "tcp"
		}
		first, last, err := compose.PortRange(ports)
		if err != nil {
			return
		}
		for port := first; port <= last; port++ {
			p := state.PortState{ContainerPort: uint16(port), Protocol: proto}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	for spec := range image {
		add(spec)
	}
	for _, spec := range svc.Expose {
		add(spec)
	}
	slices.SortFunc(out, func(a, b state.PortState) int {
		return cmp.Or(cmp.Compare(a.ContainerPort, b.ContainerPort), cmp.Compare(a.Protocol, b.Protocol))
	})
	return out
}

// tmpfsMount reads the short tmpfs syntax, PATH[:OPTIONS] as `docker run --tmpfs`
// takes it: comma-separated ro/rw, exec/noexec, size= (bytes, or with a k, m or g
// suffix), mode= (octal), and uid=, gid=, nr_inodes= passed to tmpfs. As with Docker,
// the mount is noexec unless exec is given, and always nosuid and nodev.
func tmpfsMount(spec string) (engine.Mount, error) {
	target, opts, _ := strings.Cut(spec, ":")
	m := engine.Mount{Type: "tmpfs", Target: target, NoExec: true}
	if !path.IsAbs(target) {
		return m, fmt.Errorf("tmpfs %q: the path must be absolute: %w", spec, state.ErrInvalid)
	}
	var data []string
	for _, o := range strings.Split(opts, ",") {
		key, val, _ := strings.Cut(o, "=")
		var err error
		switch key {
		case "", "rw", "nosuid", "nodev":
		case "ro":
			m.ReadOnly = true
		case "exec", "noexec":
			m.NoExec = key == "noexec"
		case "size":
			m.Size, err = units.RAMInBytes(val)
		case "mode":
			var mode uint64
			mode, err = strconv.ParseUint(val, 8, 32)
			m.Mode = uint32(mode)
		case "uid", "gid", "nr_inodes":
			if _, err = strconv.ParseUint(val, 10, 64); err == nil {
				data = append(data, o)
			}
		default:
			return m, fmt.Errorf("tmpfs %q: option %q is not supported (ro, rw, exec, noexec, size, mode, uid, gid, nr_inodes are): %w", spec, o, state.ErrInvalid)
		}
		if err != nil {
			return m, fmt.Errorf("tmpfs %q: option %q: bad value: %w", spec, o, state.ErrInvalid)
		}
	}
	m.TmpfsData = strings.Join(data, ",")
	return m, nil
}

// PortMappings turns the service's ports into netdriver mappings.
func PortMappings(svc compose.ServiceConfig) ([]netdriver.PortMapping, error) {
	var out []netdriver.PortMapping
	for i, p := range svc.Ports {
		pm := netdriver.PortMapping{ContainerPort: uint16(p.Target), Protocol: p.Protocol}
		if p.HostIP != "" {
			a, err := netip.ParseAddr(p.HostIP)
			if err != nil {
				return nil, fmt.Errorf("services.%s.ports[%d]: host ip %q: %w", svc.Name, i, p.HostIP, state.ErrInvalid)
			}
			pm.HostIP = a
		}
		if p.Published != "" {
			lo, hi, _ := strings.Cut(p.Published, "-")
			a, err := strconv.ParseUint(lo, 10, 16)
			if err != nil {
				return nil, fmt.Errorf("services.%s.ports[%d]: published %q: %w", svc.Name, i, p.Published, state.ErrInvalid)
			}
			pm.HostPort = uint16(a)
			if hi != "" {
				b, err := strconv.ParseUint(hi, 10, 16)
				if err != nil {
					return nil, fmt.Errorf("services.%s.ports[%d]: published %q: %w", svc.Name, i, p.Published, state.ErrInvalid)
				}
				pm.HostPortEnd = uint16(b)
			}
		}
		out = append(out, pm)
	}
	return out, nil
}

// mounts turns the service's volumes into engine mounts: named volumes map to their
// directories under cfg, volumes without a source and the image's uncovered VOLUME
// paths to the anonymous volumes anon (path -> ID, see anonvolume.go). Volumes are
// populated from the image (unless nocopy). Parents are mounted before the paths
// inside them, as Docker sorts mounts. A volume name that is not one path element is
// refused (state.ErrInvalid).
func mounts(cfg state.Paths, p *compose.Project, svc compose.ServiceConfig, img v1.Config, anon map[string]string) ([]engine.Mount, error) {
	var out []engine.Mount
	for _, v := range svc.Volumes {
		m := engine.Mount{Type: "bind", Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly}
		switch v.Type {
		case "volume":
			name := plan.VolumeName(p, v.Source)
			if v.Source == "" {
				name = anon[path.Clean(v.Target)]
			}
			dir, err := cfg.VolumeDir(name)
			if err != nil {
				return nil, fmt.Errorf("service %q: volume %q: %w", svc.Name, v.Source, err)
			}
			m.Source = dir
			if dev, ok := p.Volumes[v.Source].BindDevice(); ok && v.Source != "" {
				m.Source = dev
			}
			m.CopyUp = v.Volume == nil || !v.Volume.NoCopy
		case "tmpfs":
			m = engine.Mount{Type: "tmpfs", Target: v.Target}
			if v.Tmpfs != nil {
				m.Size, m.Mode = int64(v.Tmpfs.Size), v.Tmpfs.Mode
			}
		}
		mountOptions(v, &m)
		out = append(out, m)
	}
	for _, t := range svc.Tmpfs {
		m, _ := tmpfsMount(t) // CheckSupported refused the bad ones
		out = append(out, m)
	}
	for _, t := range ImageVolumes(svc, img) {
		dir, err := cfg.VolumeDir(anon[t])
		if err != nil {
			return nil, fmt.Errorf("service %q: anonymous volume %s: %w", svc.Name, t, err)
		}
		out = append(out, engine.Mount{Type: "bind", Source: dir, Target: t, CopyUp: true})
	}
	return sortMounts(out), nil
}

// sortMounts puts parents before the paths inside them (stable otherwise).
func sortMounts(ms []engine.Mount) []engine.Mount {
	sort.SliceStable(ms, func(i, j int) bool { return depth(ms[i].Target) < depth(ms[j].Target) })
	return ms
}

// depth is the number of components of a container path: "/" 0, "/a/b" 2.
func depth(p string) int {
	if p = path.Clean("/" + p); p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}

// baseSpec fills the engine spec from the service, without image, network or files.
func baseSpec(svc compose.ServiceConfig) engine.Spec {
	s := engine.Spec{
		Entrypoint:     svc.Entrypoint,
		Cmd:            svc.Command,
		WorkingDir:     svc.WorkingDir,
		User:           svc.User,
		Domainname:     svc.DomainName,
		ReadOnlyRootfs: svc.ReadOnly,
		ShmSize:        int64(svc.ShmSize),
		CapAdd:         svc.CapAdd,
		CapDrop:        svc.CapDrop,
		Privileged:     svc.Privileged,
		Init:           svc.Init != nil && *svc.Init,
		Tty:            svc.Tty,
		OpenStdin:      svc.StdinOpen,
		Sysctls:        svc.Sysctls,
		HostNetwork:    svc.NetworkMode == "host",
		SharedNetNS:    IsContainerRef(svc.NetworkMode),
		Resources: engine.Resources{
			Memory:    int64(svc.MemLimit),
			CPUs:      float64(svc.CPUS),
			CPUShares: svc.CPUShares,
			PidsLimit: svc.PidsLimit,
		},
	}
	for _, o := range svc.SecurityOpt {
		if o == "no-new-privileges" || o == "no-new-privileges:true" || o == "no-new-privileges=true" {
			s.NoNewPrivileges = true
		}
	}
	for name, u := range svc.Ulimits {
		if u == nil {
			continue
		}
		soft, hard := u.Soft, u.Hard
		if u.Single != 0 {
			soft, hard = u.Single, u.Single
		}
		s.Ulimits = append(s.Ulimits, engine.Ulimit{Name: name, Soft: uint64(soft), Hard: uint64(hard)})
	}
	sort.Slice(s.Ulimits, func(i, j int) bool { return s.Ulimits[i].Name < s.Ulimits[j].Name })
	for _, d := range svc.Devices {
		if strings.HasPrefix(d.Source, "/") { // CDI names are warned of (Unsupported)
			s.Devices = append(s.Devices, engine.Device{PathOnHost: d.Source, PathInContainer: d.Target, Permissions: d.Permissions})
		}
	}
	s.DeviceCgroupRules = svc.DeviceCgroupRules
	s.Resources.MemorySwap = int64(svc.MemSwapLimit)
	s.LogMaxSize, s.LogMaxFiles, _ = logRotation(svc) // CheckSupported refused bad options
	if svc.CPUQuota > 0 && s.Resources.CPUs == 0 {
		period := svc.CPUPeriod
		if period <= 0 {
			period = 100_000 // the kernel's default CFS period, as Docker's
		}
		s.Resources.CPUs = float64(svc.CPUQuota) / float64(period)
	}
	if svc.Deploy != nil && svc.Deploy.Resources.Limits != nil {
		l := svc.Deploy.Resources.Limits
		if l.MemoryBytes != 0 {
			s.Resources.Memory = int64(l.MemoryBytes)
		}
		if l.NanoCPUs != 0 {
			s.Resources.CPUs = float64(l.NanoCPUs)
		}
		if l.Pids != 0 {
			s.Resources.PidsLimit = l.Pids
		}
	}
	linuxKeys(svc, &s)
	return s
}

// ContainerLabels are the service's labels plus Compose's.
func ContainerLabels(p *compose.Project, svc compose.ServiceConfig, n int, hash string, files []string) map[string]string {
	l := maps.Clone(map[string]string(svc.Labels)) // label_file's labels are in them (compose)
	if l == nil {
		l = map[string]string{}
	}
	l[state.LabelProject] = p.Name
	l[state.LabelService] = svc.Name
	l[state.LabelNumber] = strconv.Itoa(n)
	l[state.LabelConfigHash] = hash
	l[state.LabelOneoff] = "False"
	l[state.LabelWorkingDir] = p.WorkingDir
	l[state.LabelConfigFiles] = strings.Join(files, ",")
	return l
}

// ImageVolumes returns the image's VOLUME paths, cleaned and sorted, that no volume,
// bind or tmpfs of svc mounts.
func ImageVolumes(svc compose.ServiceConfig, img v1.Config) []string {
	covered := map[string]bool{}
	for _, v := range svc.Volumes {
		covered[path.Clean(v.Target)] = true
	}
	for _, t := range svc.Tmpfs {
		covered[path.Clean(t)] = true
	}
	var out []string
	for v := range img.Volumes {
		if t := path.Clean("/" + v); !covered[t] {
			covered[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// AnonymousTargets returns the paths, cleaned and sorted, where a container of svc
// mounts an anonymous volume: its volumes without a source and ImageVolumes.
func AnonymousTargets(svc compose.ServiceConfig, img v1.Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range svc.Volumes {
		if t := path.Clean(v.Target); v.Type == "volume" && v.Source == "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	out = append(out, ImageVolumes(svc, img)...)
	sort.Strings(out)
	return out
}
