package project

import (
	"errors"
	"fmt"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
)

// TopTitles are the columns of `docker top` (the host's `ps -ef`).
var TopTitles = []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}

// ContainerTop is the process list of one container, one row per process with the
// columns of TopTitles.
type ContainerTop struct {
	Name      string
	Processes [][]string
}

// Top lists the processes of the running (or paused) containers of the selected
// services, sorted by container name, with host PIDs as `docker compose top` shows
// them. A project never brought up has none.
func Top(cfg Config, name string, services []string) ([]ContainerTop, error) {
	r, err := cfg.stateRun(name)
	if r == nil {
		return nil, err
	}
	cfg.restoreSupervisor(name, r.st)
	ctrs, err := r.live(services)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	users := map[int]string{}
	var out []ContainerTop
	for _, c := range ctrs {
		procs, err := r.eng.Processes(c.ID)
		if isNotFound(err) || errors.Is(err, engine.ErrNotRunning) {
			continue // exited meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("top %s: %w", describe(c), err)
		}
		ct := ContainerTop{Name: c.Name}
		for _, p := range procs {
			ct.Processes = append(ct.Processes, psRow(p, now, userName(users, p.UID)))
		}
		out = append(out, ct)
	}
	return out, nil
}

// userName is the host's name for uid, as ps prints it, else the number; cache memoizes.
func userName(cache map[int]string, uid int) string {
	if n, ok := cache[uid]; ok {
		return n
	}
	n := strconv.Itoa(uid)
	if u, err := user.LookupId(n); err == nil {
		n = u.Username
	}
	cache[uid] = n
	return n
}

// psRow formats p as `ps -ef` does: UID PID PPID C STIME TTY TIME CMD.
func psRow(p engine.Process, now time.Time, uid string) []string {
	cmd := strings.Join(p.Cmd, " ")
	if cmd == "" {
		cmd = "[" + p.Comm + "]"
	}
	return []string{uid, strconv.Itoa(p.PID), strconv.Itoa(p.PPID), strconv.Itoa(cpuPercent(p, now)),
		startTime(p.Started, now), ttyName(p.TTY), cpuTime(p.CPUTime), cmd}
}

// cpuPercent is ps's C column: CPU time over lifetime, in percent, at most 99.
func cpuPercent(p engine.Process, now time.Time) int {
	life := now.Sub(p.Started)
	if life <= 0 {
		return 0
	}
	return min(int(p.CPUTime*100/life), 99)
}

// startTime is ps's STIME: the time of day when started today, else month and day
// ("Jan02") within the year, else the year.
func startTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	switch {
	case t.Year() != now.Year():
		return t.Format("2006")
	case t.YearDay() != now.YearDay():
		return t.Format("Jan02")
	}
	return t.Format("15:04")
}

// cpuTime is ps's TIME: [DD-]HH:MM:SS of CPU time.
func cpuTime(d time.Duration) string {
	s := int(d / time.Second)
	days, h, m := s/86400, s/3600%24, s/60%60
	if days > 0 {
		return fmt.Sprintf("%d-%02d:%02d:%02d", days, h, m, s%60)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s%60)
}

// ttyName is ps's TTY for a tty_nr: pts/N, ttyN, ttySN, or "?" without one.
func ttyName(nr uint64) string {
	major, minor := (nr>>8)&0xfff, (nr&0xff)|((nr>>12)&0xfff00)
	switch {
	case nr == 0:
		return "?"
	case major >= 136 && major <= 143:
		return fmt.Sprintf("pts/%d", (major-136)*256+minor)
	case major == 4 && minor < 64:
		return fmt.Sprintf("tty%d", minor)
	case major == 4:
		return fmt.Sprintf("ttyS%d", minor-64)
	}
	return "?"
}
