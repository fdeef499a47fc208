package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/project"
)

// psRow is one container as `ps --format TEMPLATE` sees it: the fields of Compose's
// ContainerContext, formatted as Compose formats them (Command quoted and, unless
// --no-trunc, cut to 20 characters; ID cut to 12 hex digits), and Label "NAME".
type psRow struct {
	ID         string
	Name       string
	Names      string
	Project    string
	Service    string
	Image      string
	Command    string
	CreatedAt  string
	RunningFor string
	ExitCode   int
	State      string
	Status     string
	Health     string
	Publishers []project.Publisher
	Ports      string
	Labels     string

	Mounts       string
	Networks     string
	LocalVolumes string
	Size         string
	Engine       string
	labels       map[string]string
}

// jsonMap is the row as Compose's `ps --format json` prints it: every field of its
// ContainerContext under the method's name (docker/cli's formatter.MarshalJSON).
func (r psRow) jsonMap() map[string]any {
	return map[string]any{"ID": r.ID, "Name": r.Name, "Names": r.Names, "Project": r.Project, "Service": r.Service,
		"Image": r.Image, "Command": r.Command, "CreatedAt": r.CreatedAt, "RunningFor": r.RunningFor,
		"ExitCode": r.ExitCode, "State": r.State, "Status": r.Status, "Health": r.Health, "Publishers": r.Publishers,
		"Ports": r.Ports, "Labels": r.Labels, "Mounts": r.Mounts, "Networks": r.Networks,
		"LocalVolumes": r.LocalVolumes, "Size": r.Size, "Engine": r.Engine}
}

// Label is the value of the container's label name, "" when it has none.
func (r psRow) Label(name string) string { return r.labels[name] }

// psHeaders are the column names of `ps --format "table ..."`, as Compose's.
var psHeaders = map[string]string{"ID": "CONTAINER ID", "Name": "NAME", "Names": "NAMES", "Project": "PROJECT",
	"Service": "SERVICE", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
	"RunningFor": "CREATED", "ExitCode": "EXIT CODE", "State": "STATE", "Status": "STATUS", "Health": "HEALTH",
	"Publishers": "PUBLISHERS", "Ports": "PORTS", "Labels": "LABELS"}

func psRows(list []project.ContainerSummary, trunc bool) []psRow {
	rows := make([]psRow, 0, len(list))
	for _, c := range list {
		id := c.ID
		if trunc && len(id) > 12 {
			id = id[:12]
		}
		rows = append(rows, psRow{ID: id, Name: c.Name, Names: c.Name, Project: c.Project, Service: c.Service,
			Image: c.Image, Command: commandColumn(c.Command, trunc), CreatedAt: time.Unix(c.Created, 0).String(),
			RunningFor: c.CreatedSince(), ExitCode: c.ExitCode, State: c.State,
			Status: c.Status, Health: c.Health, Publishers: c.Publishers, Ports: c.Ports(),
			Labels: joinLabels(c.Labels), labels: c.Labels, Mounts: mountsColumn(c.Mounts, trunc),
			Networks: strings.Join(c.Networks, ","), LocalVolumes: strconv.Itoa(c.LocalVolumes), Size: "0B"})
	}
	return rows
}

// mountsColumn joins mount names as Docker's ps, each cut to 15 characters with an
// ellipsis unless !trunc.
func mountsColumn(mounts []string, trunc bool) string {
	out := make([]string, len(mounts))
	for i, m := range mounts {
		if r := []rune(m); trunc && len(r) > 15 {
			m = string(r[:14]) + "…"
		}
		out[i] = m
	}
	return strings.Join(out, ",")
}

// joinLabels is KEY=VALUE,... sorted by key (Docker's order is a map's).
func joinLabels(labels map[string]string) string {
	out := make([]string, 0, len(labels))
	for k, v := range labels {
		out = append(out, fmt.Sprintf("%s=%s", k, v))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
