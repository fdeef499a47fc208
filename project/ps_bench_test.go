package project

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// BenchmarkPS500 times `ps -a` of a project with 500 containers (Compose takes 24 s for
// `ps` at 500 services, docker/compose#11881). The containers exist as engine state
// files only, so it needs no root; no supervisor answers, as after `kill -9` of one.
//
//	go test -run '^$' -bench PS500 ./project/
func BenchmarkPS500(b *testing.B) {
	root := b.TempDir()
	f := &logFixture{t: b, cfg: Config{Root: root, RuntimeDir: b.TempDir(), CgroupParent: "berth-ps-bench-absent"}, st: &State{Name: "p"}}
	var ctrs []*ContainerState
	for i := range 500 {
		c := &ContainerState{ID: fmt.Sprintf("%064x", i+1), Name: fmt.Sprintf("p-svc%d-1", i), Service: fmt.Sprintf("svc%d", i),
			Number: 1, Image: "busybox", Labels: map[string]string{}, Created: time.Now().Unix()}
		if err := os.MkdirAll(filepath.Join(root, "containers", c.ID), 0o700); err != nil {
			b.Fatal(err)
		}
		f.st.Containers = append(f.st.Containers, c)
		ctrs = append(ctrs, c)
	}
	if err := f.cfg.saveState(f.st); err != nil {
		b.Fatal(err)
	}
	for i, c := range ctrs {
		es := engine.State{Status: engine.StatusRunning, StartedAt: time.Now()}
		if i%5 == 0 {
			es = engine.State{Status: engine.StatusExited, ExitCode: 1, FinishedAt: time.Now()}
		}
		f.setStatus(c, es)
	}
	b.ResetTimer()
	for range b.N {
		list, err := PS(f.cfg, "p", PSOptions{All: true})
		if err != nil || len(list) != 500 {
			b.Fatalf("PS = %d containers, %v; want 500", len(list), err)
		}
	}
}
