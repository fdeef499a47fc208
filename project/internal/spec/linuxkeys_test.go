package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
	"github.com/google/go-cmp/cmp"
)

// TestLinuxKeys: the resource, process and cgroup keys reach the engine spec, with
// deploy.resources.reservations.memory over mem_reservation and mem_swappiness 0 as
// unset, as Compose passes them to Docker.
func TestLinuxKeys(t *testing.T) {
	got := baseSpec(compose.ServiceConfig{
		GroupAdd: []string{"audio", "3000"}, OomScoreAdj: -200, CgroupParent: "custom/p", Cgroup: "private",
		Logging: &compose.LoggingConfig{Driver: "none"}, CPUSet: "0-1", CPURTPeriod: 1000000, CPURTRuntime: 5000,
		MemReservation: 1 << 20, MemSwappiness: 30, OomKillDisable: true,
		Deploy: &compose.DeployConfig{Resources: compose.Resources{Reservations: &compose.Resource{MemoryBytes: 2 << 20}}},
		BlkioConfig: &compose.BlkioConfig{Weight: 300, WeightDevice: []compose.WeightDevice{{Path: "/dev/sda", Weight: 400}},
			DeviceReadBps: []compose.ThrottleDevice{{Path: "/dev/sda", Rate: 1 << 20}}, DeviceWriteIOps: []compose.ThrottleDevice{{Path: "/dev/sda", Rate: 50}}},
	})
	swappiness := int64(30)
	want := engine.Spec{GroupAdd: []string{"audio", "3000"}, OOMScoreAdj: -200, CgroupParent: "custom/p", CgroupNS: "private", NoLog: true,
		LogMaxFiles: 1, Resources: engine.Resources{CpusetCpus: "0-1", CPURealtimePeriod: 1000000, CPURealtimeRuntime: 5000,
			MemoryReservation: 2 << 20, MemorySwappiness: &swappiness, OOMKillDisable: true,
			Blkio: engine.Blkio{Weight: 300, WeightDevice: []engine.WeightDevice{{Path: "/dev/sda", Weight: 400}},
				ReadBps: []engine.ThrottleDevice{{Path: "/dev/sda", Rate: 1 << 20}}, WriteIOps: []engine.ThrottleDevice{{Path: "/dev/sda", Rate: 50}}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("baseSpec mismatch (-want +got):\n%s", diff)
	}
	if s := baseSpec(compose.ServiceConfig{MemReservation: 1 << 20}); s.Resources.MemoryReservation != 1<<20 || s.Resources.MemorySwappiness != nil || s.NoLog {
		t.Errorf("baseSpec(mem_reservation only) = %+v, want the reservation, swappiness unset, a log", s.Resources)
	}
}

// TestCheckLinuxKeys refuses, with the field path, the values Docker refuses.
func TestCheckLinuxKeys(t *testing.T) {
	for _, c := range []struct {
		svc  compose.ServiceConfig
		path string
	}{
		{compose.ServiceConfig{Cgroup: "shared"}, "services.web.cgroup"},
		{compose.ServiceConfig{OomScoreAdj: 1001}, "services.web.oom_score_adj"},
		{compose.ServiceConfig{MemSwappiness: 101}, "services.web.mem_swappiness"},
		{compose.ServiceConfig{CgroupParent: "a/../../b"}, "services.web.cgroup_parent"},
		{compose.ServiceConfig{CPURTPeriod: 1000, CPURTRuntime: 2000}, "services.web.cpu_rt_runtime"},
		{compose.ServiceConfig{BlkioConfig: &compose.BlkioConfig{Weight: 5}}, "services.web.blkio_config.weight"},
		{compose.ServiceConfig{BlkioConfig: &compose.BlkioConfig{WeightDevice: []compose.WeightDevice{{Path: "/dev/sda", Weight: 2000}}}}, "services.web.blkio_config.weight_device[0].weight"},
		{compose.ServiceConfig{Volumes: []compose.ServiceVolumeConfig{{Type: "bind", Bind: &compose.ServiceVolumeBind{Propagation: "both"}}}}, "services.web.volumes[0].bind.propagation"},
		{compose.ServiceConfig{Volumes: []compose.ServiceVolumeConfig{{}, {Type: "volume", Volume: &compose.ServiceVolumeVolume{Subpath: "../x"}}}}, "services.web.volumes[1]"},
		{compose.ServiceConfig{Volumes: []compose.ServiceVolumeConfig{{Type: "image", Image: &compose.ServiceVolumeImage{Subpath: "/etc"}}}}, "services.web.volumes[0]"},
	} {
		c.svc.Name = "web"
		err := CheckLinuxKeys(c.svc)
		if err == nil || !strings.HasPrefix(err.Error(), c.path+": ") || !errors.Is(err, state.ErrInvalid) {
			t.Errorf("CheckLinuxKeys(%+v) = %v, want state.ErrInvalid at %s", c.svc, err, c.path)
		}
	}
	ok := compose.ServiceConfig{Name: "web", Cgroup: "host", OomScoreAdj: -1000, MemSwappiness: 100, CgroupParent: "/a/b",
		Volumes: []compose.ServiceVolumeConfig{{Type: "bind", Bind: &compose.ServiceVolumeBind{Propagation: "rslave"}},
			{Type: "volume", Volume: &compose.ServiceVolumeVolume{Subpath: "a/b"}}}}
	if err := CheckLinuxKeys(ok); err != nil {
		t.Errorf("CheckLinuxKeys(valid) = %v", err)
	}
}
