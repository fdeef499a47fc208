package main

import (
	"errors"
	"fmt"
	"io"
)

// exitError is a handler's result when berth ends with the exit status of what it ran
// (a container, an exec'd command), as Compose passes it on: nothing to print, only
// the status. Handlers return it (exitWith) instead of calling os.Exit, so that their
// deferred cleanups run; main is the only place that exits.
type exitError int

func (c exitError) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// ExitCode is the status berth exits with.
func (c exitError) ExitCode() int { return int(c) }

// exitWith returns nil for status 0, else the exitError that makes berth exit
// with status.
func exitWith(status int) error {
	if status == 0 {
		return nil
	}
	return exitError(status)
}

// exitStatus is berth's exit status for a command's error, which it prints to stderr
// ("berth: ...") unless it is only an exit status (exitError). An error with an
// ExitCode method sets the status; any other error is 1.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var silent exitError
	if errors.As(err, &silent) {
		return int(silent)
	}
	fmt.Fprintln(stderr, "berth:", err)
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return 1
}
