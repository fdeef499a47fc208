package main

import (
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/engine/image"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

// stateRoot is berth's state directory: --root, else $BERTH_ROOT, else /var/lib/berth.
func stateRoot(g *globalOptions) string {
	if g.root != "" {
		return g.root
	}
	if r := os.Getenv("BERTH_ROOT"); r != "" {
		return r
	}
	return "/var/lib/berth"
}

func openImageStore(g *globalOptions) (*image.Store, error) {
	return image.Open(filepath.Join(stateRoot(g), "images"))
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func newImageCommand(g *globalOptions) *cobra.Command {
	return commandGroup("image", "Manage images",
		newImagePullCommand(g), newImageLoadCommand(g), newImageImportCommand(g),
		newImageListCommand(g), newImageRemoveCommand(g), newImageInspectCommand(g),
		newImageTagCommand(g), newImageHistoryCommand(g), newImagePruneCommand(g), newImageSaveCommand(g))
}
