package engine

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// execUser is a resolved user: uid, primary gid and supplementary groups.
type execUser struct {
	uid, gid int
	groups   []int
	home     string
}

// resolveUser resolves "name", "uid", "uid:gid", "name:group" against the container's
// /etc/passwd and /etc/group (the current root must already be the container's).
func resolveUser(spec string) (execUser, error) { return resolveUserIn("/", spec) }

// resolveUserIn is resolveUser with the container's root at root (symlinks in it are
// resolved inside it).
func resolveUserIn(root, spec string) (execUser, error) {
	u := execUser{home: "/"}
	if spec == "" {
		spec = "0"
	}
	userPart, groupPart, hasGroup := strings.Cut(spec, ":")
	passwd := readColonFile(rootPath(root, "/etc/passwd"))
	found := false
	for _, f := range passwd {
		if len(f) >= 6 && (f[0] == userPart || f[2] == userPart) {
			u.uid, _ = strconv.Atoi(f[2])
			u.gid, _ = strconv.Atoi(f[3])
			u.home, found = f[5], true
			break
		}
	}
	if !found {
		n, err := strconv.Atoi(userPart)
		if err != nil || n < 0 {
			return u, fmt.Errorf("unable to find user %s: no matching entries in passwd file", userPart)
		}
		u.uid = n
	}
	groups := readColonFile(rootPath(root, "/etc/group"))
	if hasGroup {
		gid, ok := lookupGroup(groups, groupPart)
		if !ok {
			return u, fmt.Errorf("unable to find group %s: no matching entries in group file", groupPart)
		}
		u.gid = gid
	}
	if found {
		name := userPart
		for _, f := range passwd {
			if len(f) >= 3 && f[2] == strconv.Itoa(u.uid) {
				name = f[0]
				break
			}
		}
		for _, g := range groups {
			if len(g) < 4 {
				continue
			}
			for _, m := range strings.Split(g[3], ",") {
				if gid, err := strconv.Atoi(g[2]); err == nil && m == name && gid != u.gid {
					u.groups = append(u.groups, gid)
				}
			}
		}
	}
	return u, nil
}

func lookupGroup(groups [][]string, name string) (int, bool) {
	for _, g := range groups {
		if len(g) >= 3 && (g[0] == name || g[2] == name) {
			gid, err := strconv.Atoi(g[2])
			return gid, err == nil
		}
	}
	gid, err := strconv.Atoi(name)
	return gid, err == nil && gid >= 0
}

// rootPath is path inside root, or path itself when root is "/".
func rootPath(root, path string) string {
	if root == "/" {
		return path
	}
	p, err := secureJoin(root, path)
	if err != nil {
		return filepath.Join(root, path)
	}
	return p
}

func readColonFile(path string) [][]string {
	b, err := readFile(path)
	if err != nil {
		return nil
	}
	var out [][]string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		out = append(out, strings.Split(line, ":"))
	}
	return out
}

// addGroups adds the groups (names of the container's /etc/group under root, or
// numbers) to u's supplementary groups, each once, as Docker's --group-add.
func addGroups(root string, u execUser, add []string) (execUser, error) {
	if len(add) == 0 {
		return u, nil
	}
	groups := readColonFile(rootPath(root, "/etc/group"))
	for _, name := range add {
		gid, ok := lookupGroup(groups, name)
		if !ok {
			return u, fmt.Errorf("unable to find group %s: no matching entries in group file", name)
		}
		if !slices.Contains(u.groups, gid) {
			u.groups = append(u.groups, gid)
		}
	}
	return u, nil
}
