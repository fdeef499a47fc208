package main

import (
	"bytes"
	"io"
	"os"
	"time"

	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

type statsOptions struct {
	all      bool
	format   string
	noStream bool
	noTrunc  bool
}

// statsInterval is the time between two samples: the CPU percentage is the share of
// the host's CPU time the container used in it; frames are drawn as often (Docker's
// 500 ms).
const statsInterval = 500 * time.Millisecond

func newStatsCommand(g *globalOptions) *cobra.Command {
	opts := &statsOptions{}
	cmd := &cobra.Command{
		Use:               "stats [OPTIONS] [SERVICE]",
		Short:             "Display a live stream of container(s) resource usage statistics",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeOneService(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, cfg, err := projectTarget(cmd, g)
			if err != nil {
				return err
			}
			sample := func() ([]project.ContainerStats, error) {
				return project.Stats(cfg, name, project.StatsOptions{All: opts.all, Services: args})
			}
			return runStats(cmd.OutOrStdout(), opts, sample)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.all, "all", "a", false, "Show all containers (default shows just running)")
	f.StringVar(&opts.format, "format", "", "Format output using a custom template: 'table' (default), 'table TEMPLATE', 'json' or a Go template (e.g. {{.Name}})")
	f.BoolVar(&opts.noStream, "no-stream", false, "Disable streaming stats and only pull the first result")
	f.BoolVar(&opts.noTrunc, "no-trunc", false, "Do not truncate output")
	return cmd
}

// runStats prints a frame of the containers' usage every statsInterval, each from the
// last two samples; with noStream one frame (nothing when there is no container, as
// Docker). On a terminal each frame is drawn over the last as Docker does (cursor
// home, each line then erase to its end, erase below); elsewhere frames follow each
// other. Streaming goes on until berth is interrupted.
func runStats(w io.Writer, opts *statsOptions, sample func() ([]project.ContainerStats, error)) error {
	f, ok := w.(*os.File)
	redraw := ok && isTerminal(f)
	prev, err := sample()
	if err != nil {
		return err
	}
	for {
		time.Sleep(statsInterval)
		cur, err := sample()
		if err != nil {
			return err
		}
		if opts.noStream && len(cur) == 0 {
			return nil
		}
		var frame bytes.Buffer
		if err := printStats(&frame, opts.format, statsRows(prev, cur, !opts.noTrunc)); err != nil {
			return err
		}
		if redraw {
			frame = redrawFrame(frame.Bytes())
		}
		if _, err := w.Write(frame.Bytes()); err != nil || opts.noStream {
			return err
		}
		prev = cur
	}
}

// redrawFrame is Docker's terminal frame: cursor home, each line followed by erase to
// its end, and erase below.
func redrawFrame(b []byte) bytes.Buffer {
	var out bytes.Buffer
	out.WriteString("\033[H")
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		out.Write(line)
		out.WriteString("\033[K\n")
	}
	out.WriteString("\033[J")
	return out
}
