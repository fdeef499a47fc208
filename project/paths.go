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
	EnvReadyFD      = "BERTH_READY_FD"      // set by berth for its supervisor: the fd it says it listens on
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
	// MaxConcurrency bounds the container operations of one command that run at once
	// (Compose's --parallel); 0 or less is no bound.
	MaxConcurrency int
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
