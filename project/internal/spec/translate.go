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
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// This file is the only place that turns compose types into engine and netdriver types.

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

// tmpfsMount is the engine mount of a tmpfs: entry, read by the loader
// (compose.ParseTmpfs: CheckSupported refused the entries it cannot read). As with
// Docker, the mount is noexec unless exec is given, and always nosuid and nodev.
func tmpfsMount(spec string) engine.Mount {
	t, _ := compose.ParseTmpfs(spec)
	return engine.Mount{Type: "tmpfs", Target: t.Target, ReadOnly: t.ReadOnly, NoExec: !t.Exec, Size: t.Size, Mode: t.Mode, TmpfsData: t.Data}
}

// PortMappings turns the service's ports into netdriver mappings, from the loader's
// typed values (compose.ServicePortConfig.PublishedRange): the loader refused host IPs
// that are not ones, CheckSupported published ports that are not ports.
func PortMappings(svc compose.ServiceConfig) []netdriver.PortMapping {
	var out []netdriver.PortMapping
	for _, p := range svc.Ports {
		pm := netdriver.PortMapping{ContainerPort: uint16(p.Target), Protocol: p.Protocol}
		if p.HostIP != "" {
			pm.HostIP, _ = netip.ParseAddr(p.HostIP)
		}
		first, last := p.PublishedRange()
		pm.HostPort = first
		if last != first {
			pm.HostPortEnd = last
		}
		out = append(out, pm)
	}
	return out
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
		out = append(out, tmpfsMount(t))
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
	s.LogMaxSize, s.LogMaxFiles = svc.LogRotation()
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
