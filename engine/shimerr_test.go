package engine

import (
	"errors"
	"testing"
)

func TestShimFailure(t *testing.T) {
	tests := []struct {
		report   string
		want     error
		step     string
		wantText string
	}{
		{`exec exec: "nope": executable file not found in $PATH`, ErrShimExec, "exec",
			`exec: "nope": executable file not found in $PATH`},
		{"cgroup join cgroup /sys/fs/cgroup/x/cgroup.procs: permission denied\n", ErrShimCgroup,
			"join cgroup /sys/fs/cgroup/x/cgroup.procs", "join cgroup /sys/fs/cgroup/x/cgroup.procs: permission denied"},
		{"identity ulimit 7=100:10: invalid argument", ErrShimIdentity, "ulimit 7=100:10", "ulimit 7=100:10: invalid argument"},
		{"rootfs pivot_root \"/r\": invalid argument", ErrShimRootfs, `pivot_root "/r"`, `pivot_root "/r": invalid argument`},
		{"namespace join netns \"/run/x\": no such file or directory", ErrShimNamespace, `join netns "/run/x"`, ""},
		{"stdio open pty: no such device", ErrShimStdio, "open pty", ""},
		{"process fork: resource temporarily unavailable", ErrShimProcess, "fork", ""},
		{"state record state running in /c/state.json: write: no space left on device", ErrShimState,
			"record state running in /c/state.json", ""},
		{"proto shim protocol: berth speaks version 2, its shim version 1: rebuild berth with make", ErrShimProtocol,
			"shim protocol", "berth and its container shim speak different protocols: shim protocol: berth speaks version 2, its shim version 1: rebuild berth with make"},
		// A shim older than the version record: its failures have no class.
		{"shim: expected the configuration record pre=", ErrShimProtocol, "read the shim's report", ""},
		{"shim: unknown configuration key proto", ErrShimProtocol, "read the shim's report", ""},
		{"", ErrShimProtocol, "read the shim's report", ""},
		{"exec", ErrShimProtocol, "read the shim's report", ""},
	}
	for _, tt := range tests {
		err := shimFailure(tt.report)
		var se *ShimError
		if !errors.Is(err, tt.want) || !errors.As(error(err), &se) || se.Step != tt.step {
			t.Errorf("shimFailure(%q) = %#v, want errors.Is %v, step %q", tt.report, err, tt.want, tt.step)
			continue
		}
		if tt.wantText != "" && err.Error() != tt.wantText {
			t.Errorf("shimFailure(%q).Error() = %q, want %q", tt.report, err.Error(), tt.wantText)
		}
		for _, other := range shimClassErrors {
			if other != tt.want && errors.Is(err, other) {
				t.Errorf("shimFailure(%q) is also %v", tt.report, other)
			}
		}
	}
}
