package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EBuildSecretsAndRefusedKeys: compose build secrets reach RUN
// --mount=type=secret (and stay out of the image), network: none, extra_hosts and
// ulimits reach RUN, and build keys berth's builder cannot honour fail with their
// position instead of being ignored.
func TestE2EBuildSecretsAndRefusedKeys(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	files := map[string]string{
		"token.txt": "tok-value-42",
		"app/Dockerfile": "FROM bte-busybox\nRUN --mount=type=secret,id=token cat /run/secrets/token > /dev/null && echo read > /ok\n" +
			"CMD [\"cat\", \"/ok\"]\n",
		"compose.yaml": `services:
  app:
    image: bte-secret-app
    build:
      context: ./app
      secrets: [token]
  bad:
    build:
      context: ./app
      network: mynet
      cache_from: [registry.example/app:cache]
  opts:
    image: bte-build-opts
    build:
      context: ./app
      network: none
      extra_hosts: ["myhost=10.1.2.3"]
      ulimits: {nofile: 1234}
      dockerfile_inline: |
        FROM bte-busybox
        RUN (busybox grep myhost /etc/hosts; ulimit -n; busybox ls /sys/class/net) > /out
        CMD ["cat", "/out"]
secrets:
  token:
    file: ./token.txt
`,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "compose.yaml")
	e.mustBerth("-f", file, "build", "app")
	e.mustBerth("-f", file, "up", "-d", "app")
	e.waitLog(file, "read")
	e.mustBerth("-f", file, "down")
	e.mustBerth("-f", file, "build", "opts")
	e.mustBerth("-f", file, "up", "-d", "opts")
	for _, line := range []string{"| 10.1.2.3\tmyhost\n", "| 1234\n", "| lo\n"} { // lo alone: network none
		e.waitLog(file, line)
	}
	if out := e.mustBerth("-f", file, "logs", "opts"); strings.Contains(out, "eth0") {
		t.Errorf("RUN with network: none saw the host's interfaces:\n%s", out)
	}
	e.mustBerth("-f", file, "down")
	_, errs, err := e.berth("-f", file, "build", "bad")
	if err == nil || !strings.Contains(errs, "compose.yaml:10:16: services.bad.build.network") ||
		!strings.Contains(errs, "compose.yaml:11:19: services.bad.build.cache_from") {
		t.Errorf("berth build bad = %v, stderr %q; want errors at network (10:16) and cache_from (11:19)", err, errs)
	}
}
