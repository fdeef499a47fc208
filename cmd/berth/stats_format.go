package main

import (
	"io"
	"strconv"

	"github.com/berth-dev/berth/project"
	"github.com/docker/go-units"
)

// statsRow is one line of `stats`, Docker's fields and JSON keys.
type statsRow struct {
	BlockIO   string `json:"BlockIO"`
	CPUPerc   string `json:"CPUPerc"`
	Container string `json:"Container"`
	ID        string `json:"ID"`
	MemPerc   string `json:"MemPerc"`
	MemUsage  string `json:"MemUsage"`
	Name      string `json:"Name"`
	NetIO     string `json:"NetIO"`
	PIDs      string `json:"PIDs"`
}

// statsTable is Docker's default stats format on Linux.
const statsTable = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

var statsHeaders = map[string]string{"Container": "CONTAINER", "Name": "NAME", "ID": "CONTAINER ID",
	"CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O",
	"BlockIO": "BLOCK I/O", "PIDs": "PIDS"}

func printStats(w io.Writer, format string, rows []statsRow) error {
	if format == "" || format == "table" {
		format = statsTable
	}
	return formatRows(w, format, rows, nil, statsHeaders)
}

// statsRows renders the samples cur, their CPU percentages over the time since prev
// (0 for a container prev lacks), IDs cut to 12 characters when trunc.
func statsRows(prev, cur []project.ContainerStats, trunc bool) []statsRow {
	before := map[string]project.ContainerStats{}
	for _, s := range prev {
		before[s.ID] = s
	}
	rows := make([]statsRow, 0, len(cur))
	for _, s := range cur {
		id := s.ID
		if trunc && len(id) > 12 {
			id = id[:12]
		}
		rows = append(rows, statsRow{
			Container: s.ID, ID: id, Name: s.Name,
			CPUPerc:  percent(cpuPercent(before[s.ID], s)),
			MemUsage: units.BytesSize(float64(s.Memory)) + " / " + units.BytesSize(float64(s.MemoryLimit)),
			MemPerc:  percent(memPercent(s)),
			NetIO:    sizePair(s.NetRx, s.NetTx),
			BlockIO:  sizePair(s.BlockRead, s.BlockWrite),
			PIDs:     strconv.FormatUint(s.PIDs, 10),
		})
	}
	return rows
}

// cpuPercent is Docker's: the container's share of the host's CPU time between two
// samples, times the number of CPUs (100% is one CPU busy).
func cpuPercent(prev, cur project.ContainerStats) float64 {
	if prev.System == 0 || cur.CPU <= prev.CPU || cur.System <= prev.System {
		return 0
	}
	cpu, system := float64(cur.CPU-prev.CPU), float64(cur.System-prev.System)
	return cpu / system * float64(cur.OnlineCPUs) * 100
}

func memPercent(s project.ContainerStats) float64 {
	if s.MemoryLimit == 0 {
		return 0
	}
	return float64(s.Memory) / float64(s.MemoryLimit) * 100
}

func percent(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }

func sizePair(a, b uint64) string {
	return units.HumanSizeWithPrecision(float64(a), 3) + " / " + units.HumanSizeWithPrecision(float64(b), 3)
}
