package eventlog

import (
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/project/internal/state"
)

// Of is the event action on container c now, with Docker's attributes: the
// container's own labels (not Compose's), its image and name, and attrs.
func Of(c *state.ContainerState, action string, attrs map[string]string) Event {
	a := map[string]string{"image": c.Image, "name": c.Name}
	for k, v := range c.Labels {
		if !strings.HasPrefix(k, "com.docker.compose.") {
			a[k] = v
		}
	}
	for k, v := range attrs {
		a[k] = v
	}
	return Event{Time: time.Now(), ID: c.ID, Service: c.Service, Action: action, Attributes: a, Oneoff: c.Oneoff()}
}

// Die is the die event of c's run that ended at finished with exitCode: it carries
// the run, so that the command that stopped c and the supervisor that saw it exit
// make one event.
func Die(c *state.ContainerState, exitCode int, finished time.Time) Event {
	ev := Of(c, "die", map[string]string{"exitCode": strconv.Itoa(exitCode)})
	ev.Time, ev.Run = finished, finished.Format(time.RFC3339Nano)
	return ev
}

// Record appends ev to the event log of project name under paths. Events never fail
// what they record: the error is returned for callers that log.
func Record(paths state.Paths, name string, ev Event) error {
	path, err := paths.EventsPath(name)
	if err != nil {
		return err
	}
	return Append(path, ev)
}
