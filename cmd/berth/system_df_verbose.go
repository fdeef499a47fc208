package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/housekeep"
	units "github.com/docker/go-units"
)

// dfVerbose is `system df -v --format json`: one object, Docker's keys.
type dfVerbose struct {
	Images     []map[string]string `json:"Images"`
	Containers []map[string]string `json:"Containers"`
	Volumes    []map[string]string `json:"Volumes"`
	BuildCache []map[string]string `json:"BuildCache"`
}

func dfAgo(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return units.HumanDuration(now.Sub(t)) + " ago"
}

func dfSize(n int64) string { return units.HumanSize(float64(n)) }

// dfVerboseRows renders d as Docker's `system df -v` rows, section by section.
func dfVerboseRows(d *housekeep.DiskUsageDetail, now time.Time) dfVerbose {
	var out dfVerbose
	names := map[string]string{} // image ID -> a name for the containers' IMAGE column
	for _, im := range d.Images {
		id := strings.TrimPrefix(im.Image.ID, "sha256:")[:12]
		rows := imageRows([]*image.Image{im.Image})
		names[im.Image.ID] = id
		if len(im.Image.RepoTags) > 0 {
			names[im.Image.ID] = image.FamiliarName(im.Image.RepoTags[0])
		}
		for _, r := range rows {
			out.Images = append(out.Images, map[string]string{"Repository": r.Repository, "Tag": r.Tag, "ID": id,
				"CreatedSince": dfAgo(im.Image.Created, now), "Size": dfSize(im.Size), "SharedSize": dfSize(im.Shared),
				"UniqueSize": dfSize(im.Size - im.Shared), "Containers": fmt.Sprint(im.Containers)})
		}
	}
	for _, c := range d.Containers {
		img := names[c.ImageID]
		if img == "" {
			img = "<unknown>"
		}
		cmd := strings.Join(c.Command, " ")
		if len(cmd) > 20 {
			cmd = cmd[:19] + "…"
		}
		out.Containers = append(out.Containers, map[string]string{"ID": c.ID[:12], "Image": img, "Command": `"` + cmd + `"`,
			"LocalVolumes": fmt.Sprint(c.Volumes), "Size": dfSize(c.Size), "RunningFor": dfAgo(c.Created, now),
			"Status": string(c.Status), "Names": c.Name})
	}
	for _, v := range d.Volumes {
		out.Volumes = append(out.Volumes, map[string]string{"Name": v.Name, "Links": fmt.Sprint(v.Links), "Size": dfSize(v.Size)})
	}
	for _, b := range d.BuildCache {
		out.BuildCache = append(out.BuildCache, map[string]string{"ID": strings.TrimPrefix(b.Key, "sha256:")[:12],
			"CacheType": "regular", "Size": dfSize(b.Size), "CreatedSince": dfAgo(b.Created, now), "LastUsedSince": "N/A",
			"UsageCount": "N/A", "Shared": fmt.Sprint(b.Shared)})
	}
	return out
}

type dfSection struct {
	title  string
	header []string
	keys   []string
	rows   []map[string]string
}

func printDiskUsageVerbose(w io.Writer, d *housekeep.DiskUsageDetail, format string, now time.Time) error {
	v := dfVerboseRows(d, now)
	if format == "json" {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	}
	if format != "table" && format != "" {
		return fmt.Errorf("system df: --format %q: want table or json", format)
	}
	var cache int64
	for _, b := range d.BuildCache {
		if !b.Shared {
			cache += b.Size
		}
	}
	sections := []dfSection{
		{"Images space usage:", []string{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"},
			[]string{"Repository", "Tag", "ID", "CreatedSince", "Size", "SharedSize", "UniqueSize", "Containers"}, v.Images},
		{"Containers space usage:", []string{"CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"},
			[]string{"ID", "Image", "Command", "LocalVolumes", "Size", "RunningFor", "Status", "Names"}, v.Containers},
		{"Local Volumes space usage:", []string{"VOLUME NAME", "LINKS", "SIZE"}, []string{"Name", "Links", "Size"}, v.Volumes},
		{"Build cache usage: " + dfSize(cache), []string{"CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED"},
			[]string{"ID", "CacheType", "Size", "CreatedSince", "LastUsedSince", "UsageCount", "Shared"}, v.BuildCache},
	}
	for i, s := range sections {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n\n", s.title)
		tw := dockerTable(w)
		fmt.Fprintln(tw, strings.Join(s.header, "\t"))
		for _, r := range s.rows {
			cells := make([]string, len(s.keys))
			for j, k := range s.keys {
				cells[j] = r[k]
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
