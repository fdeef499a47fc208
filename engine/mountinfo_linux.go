package engine

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// mountInfo is a line of mountinfo: the mount point and its optional fields
// ("shared:N", "master:N", ...).
type mountInfo struct {
	point    string
	optional []string
}

func (mi mountInfo) has(prefix string) bool {
	for _, o := range mi.optional {
		if strings.HasPrefix(o, prefix) {
			return true
		}
	}
	return false
}

// readMountInfo parses a mountinfo file (proc(5)).
func readMountInfo(path string) ([]mountInfo, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mounts: %w", err)
	}
	var out []mountInfo
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		mi := mountInfo{point: unescapeOctal(f[4])}
		for _, o := range f[6:] {
			if o == "-" {
				break
			}
			mi.optional = append(mi.optional, o)
		}
		out = append(out, mi)
	}
	return out, nil
}

// mountOf is the mount path is on: the last listed with the longest mount point
// containing it (the top of stacked mounts).
func mountOf(infos []mountInfo, path string) mountInfo {
	var best mountInfo
	for _, mi := range infos {
		p := mi.point
		if (p == "/" || path == p || strings.HasPrefix(path, p+"/")) && len(p) >= len(best.point) {
			best = mi
		}
	}
	return best
}

// unescapeOctal undoes mountinfo's \NNN escapes (space, tab, newline, backslash).
func unescapeOctal(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
