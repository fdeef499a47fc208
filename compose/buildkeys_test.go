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
  bad:
    build:
      context: .
      network: mynet
      additional_contexts: {x: ../x}
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
	want := []string{"compose.yaml:14:16: services.bad.build.network", "compose.yaml:15:28: services.bad.build.additional_contexts",
		"compose.yaml:16:12: services.bad.build.ssh", "compose.yaml:17:19: services.bad.build.cache_from",
		"compose.yaml:18:17: services.bad.build.cache_to", "compose.yaml:19:17: services.bad.build.secrets[0]"}
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
