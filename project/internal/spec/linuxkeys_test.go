package spec

import (
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
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
