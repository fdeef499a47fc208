package project

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/netdriver"
)

// Environment variables that tune where berth keeps its state and which kernel names and
// subnets it uses; tests point them at temporary, unique values.
const (
	EnvRoot         = "BERTH_ROOT"          // state root; default /var/lib/berth
	EnvRuntimeDir   = "BERTH_RUNTIME_DIR"   // runtime dir; default /run/berth
	EnvAddressPools = "BERTH_ADDRESS_POOLS" // comma-separated CIDRs networks are allocated from
	EnvNFTable      = "BERTH_NFT_TABLE"     // nftables table name; default "berth"
	EnvNamePrefix   = "BERTH_NAME_PREFIX"   // prefix of bridges and veths (≤ 6 bytes); default "berth"
	EnvCgroupParent = "BERTH_CGROUP_PARENT" // parent cgroup of containers; default "berth"
)

// DefaultRoot is the state root when neither --root nor BERTH_ROOT names one.
const DefaultRoot = "/var/lib/berth"

// hostNames are the defaults of the names a root's objects share with the whole host:
// its runtime dir, nftables table, bridge and veth prefix and parent cgroup. The default
// root has the plain names; any other root gets names of its own, derived from its
// path, so that two roots on one host (a user's --root, parallel CI jobs) never rewrite
// each other's NAT table, share supervisor sockets or collide on bridge names.
func hostNames(root string) (runtimeDir, table, prefix, cgroup string) {
	if filepath.Clean(root) == DefaultRoot {
		return "/run/berth", "berth", "berth", "berth"
	}
	sum := sha256.Sum256([]byte(filepath.Clean(root)))
	h := hex.EncodeToString(sum[:])
	return "/run/berth-" + h[:12], "berth-" + h[:12], "b" + h[:5], "berth-" + h[:12]
}

// Config says where a project's state lives and how kernel objects are named. The zero
// value of each field takes the default described in the Env* constants.
type Config struct {
	Root         string
	RuntimeDir   string
	Pools        []netip.Prefix
	Table        string
	NamePrefix   string
	CgroupParent string
	// Executable is re-executed as the supervisor; empty means os.Executable().
	Executable string
}

// ConfigFromEnv returns the Config described by the environment, with root (the --root
// flag) winning over BERTH_ROOT when it is not empty. A malformed BERTH_ADDRESS_POOLS
// yields an error wrapping ErrInvalid.
func ConfigFromEnv(root string) (Config, error) {
	root = firstNonEmpty(root, os.Getenv(EnvRoot), DefaultRoot)
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	runtimeDir, table, prefix, cgroup := hostNames(root)
	c := Config{
		Root:         root,
		RuntimeDir:   firstNonEmpty(os.Getenv(EnvRuntimeDir), runtimeDir),
		Table:        firstNonEmpty(os.Getenv(EnvNFTable), table),
		NamePrefix:   firstNonEmpty(os.Getenv(EnvNamePrefix), prefix),
		CgroupParent: firstNonEmpty(os.Getenv(EnvCgroupParent), cgroup),
	}
	pools, err := ParsePools(os.Getenv(EnvAddressPools))
	if err != nil {
		return c, err
	}
	c.Pools = pools
	return c, nil
}

// ParsePools parses a comma-separated list of CIDR prefixes; empty entries are skipped.
func ParsePools(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", EnvAddressPools, f, ErrInvalid)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// projectDir is the project's state dir, <root>/projects/<name>.
func (c Config) projectDir(name string) (string, error) {
	return pathUnder(filepath.Join(c.Root, "projects"), name)
}

// runDir is the project's runtime dir, <runtime dir>/projects/<name>.
func (c Config) runDir(name string) (string, error) {
	return pathUnder(filepath.Join(c.RuntimeDir, "projects"), name)
}

func (c Config) socketPath(name string) (string, error) {
	dir, err := c.runDir(name)
	return filepath.Join(dir, "supervisor.sock"), err
}

// VolumeDir is the host directory of the named volume (full name, <project>_<volume>):
// <root>/volumes/<name>/_data. A name that is not one path element (empty, ".", "..",
// holding "/") is refused with ErrInvalid.
func (c Config) VolumeDir(name string) (string, error) {
	dir, err := pathUnder(filepath.Join(c.Root, "volumes"), name)
	if err != nil {
		return "", fmt.Errorf("volume: %w", err)
	}
	return filepath.Join(dir, "_data"), nil
}

// removeProjectDirs removes the project's state dir and runtime dir, and nothing else: a
// name that is not one path element is refused.
func (c Config) removeProjectDirs(name string) error {
	run, err := c.runDir(name)
	if err != nil {
		return err
	}
	os.RemoveAll(run) // a socket and a log: best effort
	dir, err := c.projectDir(name)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove state of project %q: %w", name, err)
	}
	return nil
}

// volumeExists reports whether the named volume's directory exists; a name that is not
// one path element never does.
func (c Config) volumeExists(name string) bool {
	dir, err := c.VolumeDir(name)
	return err == nil && fileExists(dir)
}

// removeVolume removes the named volume's directory, <root>/volumes/<name>, and only
// that: a name that is not one path element is refused.
func (c Config) removeVolume(name string) error {
	dir, err := c.VolumeDir(name)
	if err != nil {
		return err
	}
	return os.RemoveAll(filepath.Dir(dir))
}

// pathUnder returns root/name after checking that name is a single path element, so the
// result stays inside root: not empty, ".", "..", nor holding "/" or NUL. Every path
// berth derives from a name (project, volume, secret, config) is made with it, so a name
// that escaped the loader's checks (an older state file, a caller's bug) still cannot
// reach, create or remove anything outside the root. It returns an error wrapping
// ErrInvalid.
func pathUnder(root, name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return "", fmt.Errorf("name %q is not a single path element: %w", name, ErrInvalid)
	}
	p := filepath.Join(root, name)
	if rel, err := filepath.Rel(root, p); err != nil || rel != name {
		return "", fmt.Errorf("name %q leads outside %s: %w", name, root, ErrInvalid)
	}
	return p, nil
}

func (c Config) engine() *engine.Engine {
	return &engine.Engine{Root: c.Root, CgroupParent: c.CgroupParent}
}

func (c Config) imageStore() (*image.Store, error) {
	return image.Open(filepath.Join(c.Root, "images"))
}

func (c Config) netdriver() (*netdriver.Driver, error) {
	return netdriver.New(netdriver.Options{
		StateDir:   filepath.Join(c.Root, "networks"),
		RuntimeDir: filepath.Join(c.RuntimeDir, "netns"),
		Table:      c.Table,
		Pools:      c.Pools,
		NamePrefix: c.NamePrefix,
	})
}
