package compose

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnsupported(t *testing.T) {
	p := mustLoad(t, `services:
  app:
    image: alpine
    gpus: all
    post_start:
      - command: echo hi
    pre_stop:
      - command: [sh, -c, "echo bye"]
    label_file: ./labels.env
    develop:
      watch: [{path: ./src, action: sync, target: /src}]
    volumes:
      - type: image
        source: alpine:3
        target: /img
    deploy:
      placement: {constraints: [node.role==manager]}
      resources: {reservations: {devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]}}
  plain:
    image: alpine
    deploy: {replicas: 2}
networks:
  default: {driver: overlay}
`)
	var got []string
	for _, w := range p.Unsupported() {
		got = append(got, w.Pos.String()[strings.LastIndex(w.Pos.String(), "/")+1:]+" "+w.Path)
	}
	want := []string{
		"compose.yaml:4:11 services.app.gpus",
		"compose.yaml:6:7 services.app.post_start",
		"compose.yaml:8:7 services.app.pre_stop",
		"compose.yaml:9:17 services.app.label_file",
		"compose.yaml:11:7 services.app.develop",
		"compose.yaml:13:9 services.app.volumes[0]",
		"compose.yaml:17:18 services.app.deploy.placement",
		"compose.yaml:18:43 services.app.deploy.resources.reservations.devices",
		"compose.yaml:23:21 networks.default.driver",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Unsupported() mismatch (-want +got):\n%s", diff)
	}
	for _, w := range p.Unsupported() {
		if w.Msg == "" || !strings.Contains(w.String(), w.Path+": "+w.Msg) {
			t.Errorf("Warning %+v prints %q, want path and message", w, w.String())
		}
	}
	if ws := mustLoad(t, "services: {web: {image: nginx, deploy: {replicas: 2}}}\n").Unsupported(); len(ws) != 0 {
		t.Errorf("Unsupported() of a plain project = %v, want none", ws)
	}
}
