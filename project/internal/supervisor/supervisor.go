package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/berth-dev/berth/dnsserver"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/netdriver"
	"github.com/berth-dev/berth/netdriver/portproxy"
	"github.com/berth-dev/berth/project/internal/state"
	"golang.org/x/sys/unix"
)

// Engine is what the supervisor needs of the container engine (*engine.Engine).
type Engine interface {
	State(id string) (engine.State, error)
	Exec(id string, es engine.ExecSpec) (int, error)
	Lock(id string) (func(), error)
	Start(id string) error
	Wait(id string) (engine.ExitStatus, error)
}

var _ Engine = (*engine.Engine)(nil)

// supervisor serves one project: DNS records of its networks and healthchecks of its
// containers, reconciled from state.json on every sync.
type supervisor struct {
	paths state.Paths
	name  string
	eng   Engine
	nd    *netdriver.Driver
	dns   *dnsserver.Server
	proxy *portproxy.Proxy // published ports DNAT cannot serve (proxies.go)

	mu        sync.Mutex
	networks  map[string]*heldNet // networks whose DNS records it holds (records.go)
	checks    map[string]context.CancelFunc
	health    map[string]string
	runs      map[string]time.Time // StartedAt of the run each health was measured on
	done      chan struct{}
	closeOnce sync.Once
	restarts  *restarter // restart policies (restart.go); made by the first sync
	exits     exitWatches
}

// Run runs the supervisor of project name (whose state is under paths) until a
// shutdown request or the end of ctx: DNS listeners of its networks on nd, healthchecks
// and restart policies of its containers on eng. Only one supervisor runs per project:
// a second one returns an error wrapping state.ErrExists. It adopts whatever the
// project's state records. It calls listening once its socket accepts requests.
func Run(ctx context.Context, paths state.Paths, eng Engine, nd *netdriver.Driver, name string, listening func()) error {
	dir, err := paths.RunDir(name)
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return fmt.Errorf("supervisor of %q: %w", name, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "supervisor.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("supervisor of %q: %w", name, err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return fmt.Errorf("supervisor of %q already running: %w", name, state.ErrExists)
	}
	ups, err := dnsserver.UpstreamsFromEnv()
	if err != nil {
		return err
	}
	s := &supervisor{paths: paths, name: name, eng: eng, nd: nd,
		dns:      dnsserver.New(dnsserver.Options{Upstreams: ups}), // names under a project's name: records.go
		proxy:    portproxy.New(),
		networks: map[string]*heldNet{}, checks: map[string]context.CancelFunc{},
		health: map[string]string{}, runs: map[string]time.Time{}, done: make(chan struct{})}
	defer s.dns.Close()
	defer s.proxy.Close()
	if _, _, _, err := s.sync(ctx); errors.Is(err, errProxy) {
		fmt.Fprintf(os.Stderr, "supervisor of %q: %v\n", name, err) // the next sync tries again
	} else if err != nil && !errors.Is(err, state.ErrNotFound) {
		return err
	}
	sock, _ := paths.SocketPath(name) // name checked by runDir above
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("supervisor of %q: %w", name, err)
	}
	if err := os.Chmod(sock, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("supervisor of %q: %w", name, err)
	}
	state.WriteAtomic(filepath.Join(dir, "supervisor.pid"), []byte(strconv.Itoa(os.Getpid()))) // for people; berth finds supervisors by their command line
	go Serve(ln, func(request string) ([]byte, error) { return s.answer(ctx, request) })
	listening()
	select {
	case <-ctx.Done():
	case <-s.done:
	}
	ln.Close()
	s.stopChecks()
	s.stopRestarts()
	s.stopExitWatches()
	os.Remove(sock)
	os.Remove(filepath.Join(dir, "supervisor.pid"))
	return nil
}

// answer serves one request of the supervisor protocol (protocol.go).
func (s *supervisor) answer(ctx context.Context, request string) ([]byte, error) {
	switch request {
	case ReqPing:
		return nil, nil
	case ReqSync:
		st, names, others, err := s.sync(ctx)
		if err != nil {
			return nil, err
		}
		notifyPeers(s.paths, st, names, others) // without s.mu: two supervisors notifying each other never wait on each other
		return nil, nil
	case ReqRefresh:
		return nil, s.refresh(ctx)
	case ReqHealth:
		return json.Marshal(s.currentHealth())
	case ReqShutdown:
		s.stopRestarts() // before replying: Down removes the containers next
		s.stopExitWatches()
		s.closeOnce.Do(func() { close(s.done) })
		return nil, nil
	}
	return nil, fmt.Errorf("unknown request %q", request)
}

// sync makes DNS records, healthchecks, restart watchers, exit watchers and port
// proxies match the recorded state, and returns that state and the other projects'
// (their names, as loadOthers), read once for the records and for notifyPeers.
func (s *supervisor) sync(ctx context.Context) (*state.State, []string, []*state.State, error) {
	st, err := s.paths.Load(s.name)
	if err != nil {
		return nil, nil, nil, err
	}
	names, others := loadOthers(s.paths, s.name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.syncRecords(ctx, st, others); err != nil {
		return nil, nil, nil, err
	}
	s.syncChecks(st)
	s.syncRestarts(st)
	ids := make([]string, 0, len(st.Containers))
	for _, c := range st.Containers {
		ids = append(ids, c.ID)
	}
	s.syncExitWatches(ids)
	return st, names, others, s.syncProxies(st)
}

// currentHealth is the health of every checked container, by ID. A health belongs to
// the run it was measured on: a container started again since (a command started it
// while its check loop waited out the interval) is "starting", as Docker resets the
// health on every start, so that nothing waits on the health of its previous run.
func (s *supervisor) currentHealth() map[string]string {
	s.mu.Lock()
	out := maps.Clone(s.health)
	runs := maps.Clone(s.runs)
	s.mu.Unlock()
	for id, h := range out {
		if st, err := s.eng.State(id); err == nil && h != state.HealthStarting && !st.StartedAt.Equal(runs[id]) {
			out[id] = state.HealthStarting
		}
	}
	return out
}

// dnsUpstreams are a container's dns: servers (IP addresses, checked when it was made)
// as the resolvers the embedded DNS forwards its other names to, on port 53.
func dnsUpstreams(servers []string) []netip.AddrPort {
	var out []netip.AddrPort
	for _, s := range servers {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.AddrPortFrom(a, 53))
		}
	}
	return out
}
