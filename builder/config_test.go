package builder

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/builder/dockerfile"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// parseStage parses a Dockerfile and returns its last stage's instructions.
func parseStage(t *testing.T, src string) []*dockerfile.Instruction {
	t.Helper()
	df, err := dockerfile.Parse(strings.NewReader(src), dockerfile.Options{})
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	return df.Stages[len(df.Stages)-1].Instructions
}

func TestApplyConfig(t *testing.T) {
	base := v1.Config{Env: []string{"PATH=/bin", "A=0"}, Cmd: []string{"base-cmd"}}
	tests := []struct {
		name string
		src  string
		want v1.Config
	}{
		{"env replaces in place", "ENV A=1 B=2", v1.Config{Env: []string{"PATH=/bin", "A=1", "B=2"}, Cmd: []string{"base-cmd"}}},
		{"entrypoint drops inherited cmd", `ENTRYPOINT ["/app"]`, v1.Config{Env: base.Env, Entrypoint: []string{"/app"}}},
		{"cmd then entrypoint keeps cmd", "CMD [\"x\"]\nENTRYPOINT [\"/app\"]", v1.Config{Env: base.Env, Entrypoint: []string{"/app"}, Cmd: []string{"x"}}},
		{"shell form cmd", "CMD echo hi", v1.Config{Env: base.Env, Cmd: []string{"/bin/sh", "-c", "echo hi"}}},
		{"expose ranges", "EXPOSE 80 53/udp 8000-8001", v1.Config{Env: base.Env, Cmd: base.Cmd,
			ExposedPorts: map[string]struct{}{"80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {}}}},
		{"labels, user, stopsignal, volume", "LABEL a=b\nUSER app\nSTOPSIGNAL SIGINT\nVOLUME /data", v1.Config{Env: base.Env, Cmd: base.Cmd,
			Labels: map[string]string{"a": "b"}, User: "app", StopSignal: "SIGINT", Volumes: map[string]struct{}{"/data": {}}}},
		{"healthcheck", "HEALTHCHECK --interval=5s --retries=2 CMD curl -f localhost", v1.Config{Env: base.Env, Cmd: base.Cmd,
			Healthcheck: &v1.HealthConfig{Test: []string{"CMD-SHELL", "curl -f localhost"}, Interval: 5 * time.Second, Retries: 2}}},
		{"workdir is relative to the previous", "WORKDIR /a\nWORKDIR b/../c", v1.Config{Env: base.Env, Cmd: base.Cmd, WorkingDir: "/a/c"}},
		{"shell", `SHELL ["/bin/bash", "-c"]`, v1.Config{Env: base.Env, Cmd: base.Cmd, Shell: []string{"/bin/bash", "-c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &state{cfg: v1.ConfigFile{Config: *base.DeepCopy()}, args: map[string]string{}}
			for _, in := range parseStage(t, "FROM x\n"+tt.src) {
				if _, err := applyConfig(st, in); err != nil {
					t.Fatalf("applyConfig(%s) = %v", in.Original, err)
				}
			}
			if diff := cmp.Diff(tt.want, st.cfg.Config); diff != "" {
				t.Errorf("config after %q (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestApplyConfigErrors(t *testing.T) {
	st := &state{args: map[string]string{}}
	in := parseStage(t, "FROM x\nHEALTHCHECK --start-interval=1s CMD true")[0]
	if _, err := applyConfig(st, in); err == nil || !strings.Contains(err.Error(), "--start-interval") {
		t.Errorf("applyConfig(%s) = %v, want an unsupported --start-interval error", in.Original, err)
	}
}

func TestRunEnv(t *testing.T) {
	st := &state{cfg: v1.ConfigFile{Config: v1.Config{Env: []string{"A=env"}}}, args: map[string]string{}}
	for _, in := range parseStage(t, "FROM x\nARG A=arg B=b\nARG C") {
		applyConfig(st, in)
	}
	img, args := runEnv(st)
	if !slices.Equal(img, []string{"A=env"}) || !slices.Equal(args, []string{"B=b"}) {
		t.Errorf("runEnv = %v, %v; want [A=env] (ENV wins) and [B=b] (unset C left out)", img, args)
	}
}

func TestCacheKey(t *testing.T) {
	key := func(parent, src string, execCtx []string, inputs string) string {
		t.Helper()
		ins := parseStage(t, "FROM x\n"+src)
		k, err := cacheKey(parent, ins[len(ins)-1], execCtx, inputs)
		if err != nil {
			t.Fatalf("cacheKey = %v", err)
		}
		return k
	}
	base := key("p", "RUN make", []string{"A=1"}, "")
	same := []struct{ name, got string }{
		{"same instruction", key("p", "RUN make", []string{"A=1"}, "")},
		{"moved to another line", key("p", "\n\n# comment\nRUN make", []string{"A=1"}, "")},
	}
	for _, s := range same {
		if s.got != base {
			t.Errorf("cacheKey (%s) = %s, want %s", s.name, s.got, base)
		}
	}
	differ := []struct{ name, got string }{
		{"parent", key("q", "RUN make", []string{"A=1"}, "")},
		{"command", key("p", "RUN make all", []string{"A=1"}, "")},
		{"environment", key("p", "RUN make", []string{"A=2"}, "")},
		{"inputs", key("p", "RUN make", []string{"A=1"}, "sha256:x")},
		{"exec form", key("p", `RUN ["make"]`, []string{"A=1"}, "")},
	}
	seen := map[string]string{base: "base"}
	for _, d := range differ {
		if prev, ok := seen[d.got]; ok {
			t.Errorf("cacheKey with another %s = %s, the same as with %s", d.name, d.got, prev)
		}
		seen[d.got] = d.name
	}
	a := key("p", "COPY --chown=1 a /b", nil, "h")
	b := key("p", "COPY a /b", nil, "h")
	c := key("p", "ARG D=/c\nCOPY a $D", nil, "h")
	d := key("p", "COPY a /c", nil, "h")
	if a == b || b == c || c != d {
		t.Errorf("COPY keys: --chown must matter (%v) and keys must use the expanded text (%v)", a != b, c == d)
	}
}
