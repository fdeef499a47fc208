package devreq

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
)

func TestRequests(t *testing.T) {
	svc := compose.ServiceConfig{Name: "ml",
		Devices: []compose.DeviceMapping{{Source: "/dev/fuse"}, {Source: "vendor.com/fpga=a"}},
		Gpus:    []compose.DeviceRequest{{Count: -1}, {Driver: "nvidia", IDs: []string{"0", "GPU-x"}}},
		Deploy: &compose.DeployConfig{Resources: compose.Resources{Reservations: &compose.Resource{Devices: []compose.DeviceRequest{
			{Capabilities: []string{"gpu"}, Count: 2}, {Capabilities: []string{"tpu"}, Count: 1},
			{Driver: "cdi", IDs: []string{"vendor.com/net=x"}}}}}}}
	got, err := Requests(svc)
	if err != nil {
		t.Fatal(err)
	}
	want := []Request{
		{Path: "services.ml.devices[1]", Names: []string{"vendor.com/fpga=a"}},
		{Path: "services.ml.gpus[0]", Names: []string{"nvidia.com/gpu=all"}},
		{Path: "services.ml.gpus[1]", Names: []string{"nvidia.com/gpu=0", "nvidia.com/gpu=GPU-x"}},
		{Path: "services.ml.deploy.resources.reservations.devices[0]", Kind: GPUKind, Count: 2},
		{Path: "services.ml.deploy.resources.reservations.devices[2]", Names: []string{"vendor.com/net=x"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Requests =\n%+v\nwant\n%+v", got, want)
	}
	_, err = Requests(compose.ServiceConfig{Name: "x", Gpus: []compose.DeviceRequest{{Driver: "amd"}}})
	var e *Error
	if !errors.As(err, &e) || e.Path != "services.x.gpus[0]" {
		t.Errorf("Requests of driver amd = %v, want an *Error at services.x.gpus[0]", err)
	}
}

func TestResolve(t *testing.T) {
	dirs := []string{"testdata"}
	tests := []struct {
		name    string
		reqs    []Request
		want    Edits
		wantErr string
	}{
		{"all", []Request{{Path: "p", Names: []string{"nvidia.com/gpu=all"}}}, Edits{
			Devices: []engine.Device{{PathOnHost: "/dev/null", PathInContainer: "/dev/nvidiactl"},
				{PathOnHost: "/dev/zero", PathInContainer: "/dev/nvidia0"}, {PathOnHost: "/dev/zero", PathInContainer: "/dev/nvidia1"}},
			Mounts:   []engine.Mount{{Type: "bind", Source: "/usr/lib/libcuda.so.1", Target: "/usr/lib/libcuda.so.1", ReadOnly: true}},
			Env:      []string{"NVIDIA_VISIBLE_DEVICES=void"},
			GroupAdd: []string{"44"},
			Hooks:    []string{"createContainer: /usr/bin/nvidia-cdi-hook nvidia-cdi-hook update-ldcache"}}, ""},
		{"count takes the first by number", []Request{{Path: "p", Kind: GPUKind, Count: 2}}, Edits{
			Devices: []engine.Device{{PathOnHost: "/dev/null", PathInContainer: "/dev/nvidiactl"},
				{PathOnHost: "/dev/zero", PathInContainer: "/dev/nvidia0", Permissions: "rw"},
				{PathOnHost: "/dev/zero", PathInContainer: "/dev/nvidia1"}},
			Env:   []string{"NVIDIA_VISIBLE_DEVICES=void"},
			Hooks: []string{"createContainer: /usr/bin/nvidia-cdi-hook nvidia-cdi-hook update-ldcache"}}, ""},
		{"too many", []Request{{Path: "p", Kind: GPUKind, Count: 4}}, Edits{}, "p: 4 nvidia.com/gpu devices asked for, 3 on this host"},
		{"unknown device", []Request{{Path: "p", Names: []string{"nvidia.com/gpu=7"}}}, Edits{}, `p: no CDI device "nvidia.com/gpu=7" on this host (CDI specs in testdata`},
		{"not a name", []Request{{Path: "p", Names: []string{"gpu0"}}}, Edits{}, `"gpu0" is not a CDI device name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := Resolve(dirs, tt.reqs)
			if tt.wantErr != "" {
				if err := errors.Join(errs...); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve errors = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
	if _, errs := Resolve([]string{t.TempDir()}, []Request{{Path: "services.ml.gpus[0]", Names: []string{"nvidia.com/gpu=all"}}}); len(errs) != 1 {
		t.Errorf("Resolve on a host without specs = %v, want one error", errs)
	}
}
