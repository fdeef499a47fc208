package housekeep

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/image"
)

// ErrInvalidFilter: a --filter that is malformed or not one the command takes.
var ErrInvalidFilter = errors.New("invalid filter")

// Filter is Docker's --filter: key=value pairs. Values of one key are alternatives,
// except label (every one must match) and label! (none may).
type Filter struct {
	values map[string][]string
	until  time.Time
}

// ParseFilter parses "key=value" arguments, accepting only the keys allowed; until's
// value is a duration before now ("24h"), an RFC 3339 time, a date or Unix seconds.
// A bad filter yields ErrInvalidFilter.
func ParseFilter(args []string, now time.Time, allowed ...string) (Filter, error) {
	f := Filter{values: map[string][]string{}}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=") // "label!=k=v" is key "label!"
		if !ok || !slicesContains(allowed, strings.TrimSuffix(k, "!")) || (strings.HasSuffix(k, "!") && k != "label!") {
			return f, fmt.Errorf("invalid filter %q: %w", a, ErrInvalidFilter)
		}
		if _, err := strconv.ParseBool(v); k == "dangling" && err != nil {
			return f, fmt.Errorf("invalid filter %q: dangling wants true or false: %w", a, ErrInvalidFilter)
		}
		if k == "until" {
			t, err := parseUntil(v, now)
			if err != nil {
				return f, fmt.Errorf("invalid filter %q: %w", a, err)
			}
			f.until = t
		}
		f.values[k] = append(f.values[k], v)
	}
	return f, nil
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func parseUntil(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Unix(int64(secs), 0), nil
	}
	return time.Time{}, fmt.Errorf("until wants a duration, a time or Unix seconds: %w", ErrInvalidFilter)
}

// Empty reports whether no filter was given.
func (f Filter) Empty() bool { return len(f.values) == 0 }

// labels: every label=K or label=K=V must match, no label!= may.
func (f Filter) labels(labels map[string]string) bool {
	match := func(spec string) bool {
		k, v, hasValue := strings.Cut(spec, "=")
		got, ok := labels[k]
		return ok && (!hasValue || got == v)
	}
	for _, spec := range f.values["label"] {
		if !match(spec) {
			return false
		}
	}
	for _, spec := range f.values["label!"] {
		if match(spec) {
			return false
		}
	}
	return true
}

// anyOf reports whether key is unset or one of its values satisfies ok.
func (f Filter) anyOf(key string, ok func(string) bool) bool {
	vals := f.values[key]
	if len(vals) == 0 {
		return true
	}
	for _, v := range vals {
		if ok(v) {
			return true
		}
	}
	return false
}

// Image reports whether img passes until= (created before) and label=.
func (f Filter) Image(img *image.Image) bool {
	if !f.until.IsZero() && !img.Created.Before(f.until) {
		return false
	}
	return f.labels(img.Config.Config.Labels)
}

// Volume reports whether v passes name= (a substring), label= and dangling=
// (true: no container mounts it).
func (f Filter) Volume(v *Volume) bool {
	return f.labels(v.Labels) &&
		f.anyOf("name", func(s string) bool { return strings.Contains(v.Name, s) }) &&
		f.anyOf("dangling", func(s string) bool { b, err := strconv.ParseBool(s); return err == nil && b == (len(v.UsedBy) == 0) })
}

// Network reports whether n passes name= (a substring), id= (a prefix) and label=.
func (f Filter) Network(n *Network) bool {
	return f.labels(n.Labels) &&
		f.anyOf("name", func(s string) bool { return strings.Contains(n.Name, s) }) &&
		f.anyOf("id", func(s string) bool { return strings.HasPrefix(n.ID, s) })
}
