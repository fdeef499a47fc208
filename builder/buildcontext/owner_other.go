//go:build !linux

package buildcontext

import "io/fs"

// owner returns 0, 0: berth runs on Linux only; this keeps the package
// buildable elsewhere for tooling.
func owner(fs.FileInfo) (int, int) { return 0, 0 }
