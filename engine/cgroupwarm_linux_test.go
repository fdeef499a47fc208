package engine

import (
	"os"
	"slices"
	"testing"
)

func TestOwnProcsFiles(t *testing.T) {
	hybrid := "12:pids:/user.slice\n11:cpu,cpuacct:/user.slice\n1:name=systemd:/user.slice/session-1.scope\n0::/user.slice/session-1.scope\n"
	tests := []struct {
		name string
		in   string
		v2   bool
		want []string
	}{
		{"v2", "0::/system.slice/ci.service\n", true, []string{"/sys/fs/cgroup/system.slice/ci.service/cgroup.procs"}},
		{"v2 root", "0::/\n", true, []string{"/sys/fs/cgroup/cgroup.procs"}},
		{"hybrid as v1", hybrid, false, []string{
			"/sys/fs/cgroup/pids/user.slice/cgroup.procs",
			"/sys/fs/cgroup/cpu,cpuacct/user.slice/cgroup.procs",
			"/sys/fs/cgroup/systemd/user.slice/session-1.scope/cgroup.procs",
		}},
		{"hybrid as v2", hybrid, true, []string{"/sys/fs/cgroup/user.slice/session-1.scope/cgroup.procs"}},
		{"garbage", "x\n3:memory\n4:memory:relative\n", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ownProcsFiles([]byte(tt.in), "/sys/fs/cgroup", tt.v2); !slices.Equal(got, tt.want) {
				t.Errorf("ownProcsFiles(%q, v2=%v) = %q, want %q", tt.in, tt.v2, got, tt.want)
			}
		})
	}
}

// TestMigrateSelfStaysPut checks the warming migration moves this process nowhere.
func TestMigrateSelfStaysPut(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("writing cgroup.procs needs root")
	}
	before, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	f, err := migrateSelf(cgroupRoot, unified())
	if err != nil {
		t.Fatalf("migrateSelf() = %v", err)
	}
	after, _ := os.ReadFile("/proc/self/cgroup")
	if string(after) != string(before) {
		t.Errorf("after writing %s, /proc/self/cgroup = %q, want %q", f, after, before)
	}
}
