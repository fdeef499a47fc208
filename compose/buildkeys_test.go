package compose

import (
	"strings"
	"testing"
)

func TestBuildErrors(t *testing.T) {
	p := mustLoad(t, `
services:
  ok:
    build:
      context: .
      network: none
      extra_hosts: ["a=10.0.0.1"]
      shm_size: 64m
      privileged: true
      secrets: [file]
      additional_contexts: {dir: ./d, img: "docker-image://alpine:3", svc: "service:ok"}
  bad:
    build:
      context: .
      network: mynet
      additional_contexts: {x: "https://example.com/x.git"}
      ssh: [default]
      cache_from: [a]
      cache_to: [b]
      secrets: [env]
secrets:
  file: {file: ./f}
  env: {environment: TOKEN}
`)
	if err := p.BuildErrors("ok"); err != nil {
		t.Errorf("BuildErrors(ok) = %v, want nil", err)
	}
	err := p.BuildErrors("bad")
	if err == nil {
		t.Fatal("BuildErrors(bad) = nil, want errors")
	}
	want := []string{"compose.yaml:15:16: services.bad.build.network", "compose.yaml:16:32: services.bad.build.additional_contexts.x",
		"compose.yaml:17:12: services.bad.build.ssh", "compose.yaml:18:19: services.bad.build.cache_from",
		"compose.yaml:19:17: services.bad.build.cache_to", "compose.yaml:20:17: services.bad.build.secrets[0]"}
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("BuildErrors(bad) = %d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("error %d = %q, want %q", i, lines[i], w)
		}
	}
}
