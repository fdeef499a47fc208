package main

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/project"
	"github.com/spf13/cobra"
)

// checkWatch rejects what Compose rejects with --watch.
func (o *upOptions) checkWatch() error {
	if !o.watch {
		return nil
	}
	switch {
	case o.wait:
		return fmt.Errorf("up: --wait cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, --attach-dependencies or --watch")
	case o.detach:
		return fmt.Errorf("up: --detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, --attach-dependencies or --watch")
	case o.noBuild:
		return fmt.Errorf("up: --no-build and --watch are incompatible")
	}
	return nil
}

// upWatch returns the hook that starts watching once Up has brought the project up
// (its messages marked "⦿" among the containers' output, as Compose's), and the
// function that stops the watch and returns its error.
func upWatch(cmd *cobra.Command, cfg project.Config, p *compose.Project, opts project.WatchOptions) (func(), func() error) {
	ctx, cancel := context.WithCancel(cmd.Context())
	done := make(chan error, 1)
	var started atomic.Bool // set by Up's goroutine, read after UpAttached returns
	out := &prefixWriter{w: cmd.OutOrStdout(), prefix: "⦿ "}
	opts.Log, opts.Warn, opts.Output = out, cmd.ErrOrStderr(), cmd.OutOrStdout()
	start := func() {
		started.Store(true)
		go func() { done <- project.Watch(ctx, cfg, p, opts) }()
	}
	stop := func() error {
		cancel()
		if !started.Load() {
			return nil
		}
		return <-done
	}
	return start, stop
}
