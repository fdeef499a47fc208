package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type eventsOptions struct {
	json  bool
	since string
	until string
}

func newEventsCommand(g *globalOptions) *cobra.Command {
	opts := &eventsOptions{}
	cmd := &cobra.Command{
		Use:               "events [OPTIONS] [SERVICE...]",
		Short:             "Receive real time events from containers",
		ValidArgsFunction: completeServices(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now()
			since, err := parseEventTime(opts.since, now)
			if err != nil {
				return err
			}
			until, err := parseEventTime(opts.until, now)
			if err != nil {
				return err
			}
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			w := cmd.OutOrStdout()
			err = project.Events(ctx, cfg, name, project.EventsOptions{Services: args, Since: since, Until: until},
				func(ev project.Event) error { return printEvent(w, ev, opts.json) })
			if err == nil && ctx.Err() != nil && cmd.Context().Err() == nil {
				return exitWith(130) // interrupted, as Compose's canceled commands
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.json, "json", false, "Output events as a stream of json objects")
	f.StringVar(&opts.since, "since", "", "Show all events created since timestamp")
	f.StringVar(&opts.until, "until", "", "Stream events until this timestamp")
	return cmd
}

// printEvent prints ev as Compose does: with asJSON one object per line (time, type,
// service, id, action, attributes), else "2006-01-02 15:04:05.000000 container ACTION
// ID (k=v, ...)" and, as Compose's Println of a line that already ends in a newline,
// an empty line. Attributes are sorted (Compose prints them in map order).
func printEvent(w io.Writer, ev project.Event, asJSON bool) error {
	if asJSON {
		attrs := ev.Attributes
		if attrs == nil {
			attrs = map[string]string{}
		}
		b, err := json.Marshal(map[string]any{"time": ev.Time, "type": "container", "service": ev.Service,
			"id": ev.Container, "action": ev.Action, "attributes": attrs})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	}
	attrs := make([]string, 0, len(ev.Attributes))
	for k, v := range ev.Attributes {
		attrs = append(attrs, k+"="+v)
	}
	sort.Strings(attrs)
	_, err := fmt.Fprintf(w, "%s container %s %s (%s)\n\n", ev.Time.Format("2006-01-02 15:04:05.000000"),
		ev.Action, ev.Container, strings.Join(attrs, ", "))
	return err
}

// parseEventTime reads --since and --until as Docker does: a duration before now
// ("10m"), a Unix time in seconds ("1700000000.5"), or an RFC 3339 date and time,
// its time, seconds or zone optional (local time without one). "" is the zero time.
func parseEventTime(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "eE") {
		whole := int64(secs)
		return time.Unix(whole, int64((secs-float64(whole))*1e9)), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("failed to parse value as time or duration: %q", v)
}
