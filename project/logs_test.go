package project

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// logFixture is a project whose containers exist only as engine state files and json
// logs: enough for Logs, which reads both, without root. A "running" container has
// this test process as its init and monitor.
type logFixture struct {
	t   testing.TB
	cfg Config
	st  *State
}

func newLogFixture(t *testing.T) *logFixture {
	root := t.TempDir()
	f := &logFixture{t: t, cfg: Config{Root: root, CgroupParent: "berth-logs-test-absent"}, st: &State{Name: "p"}}
	f.save()
	return f
}

func (f *logFixture) save() {
	f.t.Helper()
	if err := f.cfg.saveState(f.st); err != nil {
		f.t.Fatal(err)
	}
}

// add records container service-n, running or exited (code).
func (f *logFixture) add(service string, n int, running bool) *ContainerState {
	f.t.Helper()
	c := &ContainerState{ID: service + "-id-" + string(rune('0'+n)), Name: "p-" + service + "-" + string(rune('0'+n)),
		Service: service, Number: n, Labels: map[string]string{}, Created: time.Now().Unix()}
	if err := os.MkdirAll(filepath.Join(f.cfg.Root, "containers", c.ID), 0o700); err != nil {
		f.t.Fatal(err)
	}
	f.st.Containers = append(f.st.Containers, c)
	f.save()
	if running {
		f.setStatus(c, engine.State{Status: engine.StatusRunning, StartedAt: time.Now()})
	} else {
		f.setStatus(c, engine.State{Status: engine.StatusExited, StartedAt: time.Now().Add(-time.Hour),
			FinishedAt: time.Now().Add(-time.Minute)})
	}
	return c
}

func (f *logFixture) setStatus(c *ContainerState, es engine.State) {
	f.t.Helper()
	es.ID = c.ID
	if es.Status == engine.StatusRunning {
		es.Pid, es.MonitorPid = os.Getpid(), os.Getpid()
	}
	b, _ := json.Marshal(es)
	path := filepath.Join(f.cfg.Root, "containers", c.ID, "state.json")
	if err := os.WriteFile(path+".tmp", b, 0o600); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil { // atomic, as the engine writes it
		f.t.Fatal(err)
	}
}

func (f *logFixture) log(c *ContainerState, at time.Time, lines ...string) {
	f.t.Helper()
	lf, err := os.OpenFile(filepath.Join(f.cfg.Root, "containers", c.ID, "container.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		f.t.Fatal(err)
	}
	defer lf.Close()
	for i, l := range lines {
		b, _ := json.Marshal(engine.LogEntry{Log: l + "\n", Stream: "stdout", Time: at.Add(time.Duration(i) * time.Millisecond)})
		lf.Write(append(b, '\n'))
	}
}

func TestLogsSelection(t *testing.T) {
	f := newLogFixture(t)
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	web1, web2, db := f.add("web", 1, false), f.add("web", 2, false), f.add("database", 1, false)
	f.log(web1, base, "w1 a", "w1 b", "w1 c")
	f.log(web2, base.Add(time.Second), "w2 a")
	f.log(db, base.Add(2*time.Second), "db a", "db b")
	tests := []struct {
		name string
		opts LogsOptions
		want []string // sorted lines
	}{
		{"all", LogsOptions{}, []string{"database-1  | db a", "database-1  | db b", "web-1       | w1 a", "web-1       | w1 b", "web-1       | w1 c", "web-2       | w2 a"}},
		{"tail per container", LogsOptions{Tail: "1"}, []string{"database-1  | db b", "web-1       | w1 c", "web-2       | w2 a"}},
		{"tail 0", LogsOptions{Tail: "0"}, nil},
		{"service", LogsOptions{Services: []string{"web"}}, []string{"web-1  | w1 a", "web-1  | w1 b", "web-1  | w1 c", "web-2  | w2 a"}},
		{"index", LogsOptions{Services: []string{"web"}, Index: 2}, []string{"web-2  | w2 a"}},
		{"since", LogsOptions{Since: base.Add(time.Second)}, []string{"database-1  | db a", "database-1  | db b", "web-2       | w2 a"}},
		{"until with tail", LogsOptions{Until: base.Add(time.Millisecond), Tail: "1", Services: []string{"web"}}, []string{"web-1  | w1 b"}},
		{"no prefix", LogsOptions{Services: []string{"database"}, LogFormat: LogFormat{NoPrefix: true}}, []string{"db a", "db b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := Logs(context.Background(), f.cfg, "p", &b, tt.opts); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if b.Len() == 0 {
				got = nil
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Logs(%+v) =\n%s\nwant\n%s", tt.opts, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	errTests := []struct {
		opts LogsOptions
		want error
	}{
		{LogsOptions{Services: []string{"nope"}}, ErrNotFound},
		{LogsOptions{Index: 1}, ErrInvalid},
		{LogsOptions{Tail: "many"}, ErrInvalid},
	}
	for _, tt := range errTests {
		if err := Logs(context.Background(), f.cfg, "p", &strings.Builder{}, tt.opts); !errors.Is(err, tt.want) {
			t.Errorf("Logs(%+v) = %v, want %v", tt.opts, err, tt.want)
		}
	}
	if err := Logs(context.Background(), f.cfg, "other", &strings.Builder{}, LogsOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Logs of an unknown project = %v, want ErrNotFound", err)
	}
}

// lockedBuilder is a strings.Builder safe for a writer and a polling reader.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func waitOutput(t *testing.T, out *lockedBuilder, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(out.String(), want) {
			return
		}
	}
	t.Fatalf("output lacks %q:\n%s", want, out.String())
}

// TestLogsFollow follows a running container, picks up a new replica and a restart,
// and returns once every container exited.
func TestLogsFollow(t *testing.T) {
	f := newLogFixture(t)
	app1 := f.add("app", 1, true)
	f.log(app1, time.Now().Add(-time.Second), "old 1", "old 2")
	out := &lockedBuilder{}
	done := make(chan error, 1)
	go func() { done <- Logs(context.Background(), f.cfg, "p", out, LogsOptions{Follow: true, Tail: "1"}) }()
	waitOutput(t, out, "app-1  | old 2\n")
	f.log(app1, time.Now(), "new 1")
	waitOutput(t, out, "app-1  | new 1\n")

	app2 := f.add("app", 2, true) // a scale: read in full
	f.log(app2, time.Now(), "second 1")
	waitOutput(t, out, "app-2  | second 1\n")

	f.setStatus(app1, engine.State{Status: engine.StatusExited, ExitCode: 3, FinishedAt: time.Now()})
	waitOutput(t, out, "app-1 exited with code 3\n")
	f.setStatus(app1, engine.State{Status: engine.StatusRunning, StartedAt: time.Now()}) // a restart
	f.log(app1, time.Now(), "again 1")
	waitOutput(t, out, "app-1  | again 1\n")

	select {
	case err := <-done:
		t.Fatalf("Logs returned %v while containers run", err)
	case <-time.After(300 * time.Millisecond):
	}
	for _, c := range []*ContainerState{app1, app2} {
		f.setStatus(c, engine.State{Status: engine.StatusExited, StartedAt: time.Now().Add(-time.Second), FinishedAt: time.Now()})
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Logs -f still running after every container exited")
	}
	if strings.Contains(out.String(), "old 1") || strings.Count(out.String(), "new 1") != 1 || strings.Count(out.String(), "again 1") != 1 {
		t.Errorf("Logs -f --tail 1 printed a line twice or before the tail:\n%s", out.String())
	}
}
