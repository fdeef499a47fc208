package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/internal/progress"
	"github.com/spf13/cobra"
)

// The environment variables of Compose's display and concurrency flags.
const (
	envProgress     = "COMPOSE_PROGRESS"       // --progress's default
	envANSI         = "COMPOSE_ANSI"           // --ansi, unless given
	envParallel     = "COMPOSE_PARALLEL_LIMIT" // --parallel, unless given
	envStatusStdout = "COMPOSE_STATUS_STDOUT"  // notices on stdout instead of stderr
)

// displayOptions are Compose's global flags of output and concurrency.
type displayOptions struct {
	dryRun   bool
	progress string
	ansi     string
	parallel int
	noANSI   bool // Compose's deprecated --no-ansi, hidden

	mode progress.Mode   // resolved by resolveDisplay
	out  progress.Writer // made by progressOut on first use
}

// addDisplayFlags adds --dry-run (to every command, as Compose's), --progress, --ansi
// and --parallel to root, and resolves them before any command runs.
func addDisplayFlags(root *cobra.Command, g *globalOptions) {
	d := &g.display
	var modes []string
	for _, m := range progress.Modes {
		modes = append(modes, string(m))
	}
	root.PersistentFlags().BoolVar(&d.dryRun, "dry-run", false, "Execute command in dry run mode")
	f := root.Flags()
	f.StringVar(&d.progress, "progress", os.Getenv(envProgress), "Set type of progress output ("+strings.Join(modes, ", ")+")")
	f.StringVar(&d.ansi, "ansi", "auto", `Control when to print ANSI control characters ("never"|"always"|"auto")`)
	f.IntVar(&d.parallel, "parallel", -1, "Control max parallelism, -1 for unlimited")
	f.BoolVar(&d.noANSI, "no-ansi", false, "Do not print ANSI control characters (DEPRECATED)")
	_ = f.MarkHidden("no-ansi")
	_ = root.RegisterFlagCompletionFunc("progress", cobra.FixedCompletions(modes, cobra.ShellCompDirectiveNoFileComp))
	_ = root.RegisterFlagCompletionFunc("ansi", cobra.FixedCompletions([]string{"never", "always", "auto"}, cobra.ShellCompDirectiveNoFileComp))
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if d.noANSI {
			if d.ansi != "auto" {
				return fmt.Errorf(`cannot specify DEPRECATED "--no-ansi" and "--ansi". Please use only "--ansi"`)
			}
			d.ansi = "never"
			fmt.Fprint(cmd.ErrOrStderr(), "option '--no-ansi' is DEPRECATED ! Please use '--ansi' instead.\n")
		}
		if err := d.resolve(root, envLookup, isTerminalWriter(cmd.ErrOrStderr())); err != nil {
			return err
		}
		return checkDryRun(cmd, d.dryRun)
	}
}

func envLookup(k string) (string, bool) { return os.LookupEnv(k) }

// resolve applies the environment to the flags not given, as Compose: COMPOSE_ANSI and
// COMPOSE_PARALLEL_LIMIT, then picks the progress mode (terminal: stderr is one).
func (d *displayOptions) resolve(root *cobra.Command, env func(string) (string, bool), terminal bool) error {
	if v, ok := env(envANSI); ok && !root.Flags().Changed("ansi") {
		d.ansi = v
	}
	switch d.ansi {
	case "never", "always", "auto":
	default:
		return fmt.Errorf("unsupported --ansi value %q: want never, always or auto", d.ansi)
	}
	if v, ok := env(envParallel); ok && !root.Flags().Changed("parallel") {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%s must be an integer (found: %q)", envParallel, v)
		}
		d.parallel = n
	}
	mode, err := progress.Resolve(d.progress, d.ansi, terminal)
	d.mode = mode
	return err
}

// color reports whether output to w is colored: --ansi always or never, else on a
// terminal unless noColor (a command's --no-color) or $NO_COLOR.
func (d *displayOptions) color(w io.Writer, noColor bool) bool {
	switch {
	case noColor || d.ansi == "never" || os.Getenv("NO_COLOR") != "":
		return false
	case d.ansi == "always":
		return true
	}
	return isTerminalWriter(w)
}

// progressOut is where cmd writes its progress lines: stderr through the display of
// --progress (see package progress). The writer is made once; closeProgress ends it.
func (g *globalOptions) progressOut(cmd *cobra.Command) io.Writer {
	d := &g.display
	if d.out != nil {
		return d.out
	}
	if d.mode == "" { // a command run without the root's pre-run (tests)
		d.mode = progress.Plain
	}
	detached, _ := cmd.Flags().GetBool("detach")
	o := progress.Options{DryRun: d.dryRun, Operation: cmd.Name(), Attached: !detached && cmd.Name() != "start",
		Color: d.color(cmd.ErrOrStderr(), false)}
	if v, _ := strconv.ParseBool(os.Getenv(envStatusStdout)); v {
		o.Info = cmd.OutOrStdout()
	}
	w, err := progress.New(d.mode, cmd.ErrOrStderr(), o)
	if err != nil { // resolve accepted the mode
		panic(err)
	}
	d.out = w
	return w
}

// closeProgress ends the progress display, leaving its last frame.
func (g *globalOptions) closeProgress() {
	if g.display.out != nil {
		_ = g.display.out.Close()
		g.display.out = nil
	}
}

// isTerminalWriter reports whether w is a terminal.
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}
