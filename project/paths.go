package project

import (
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
	c := Config{
		Root:         firstNonEmpty(root, os.Getenv(EnvRoot), "/var/lib/berth"),
		RuntimeDir:   firstNonEmpty(os.Getenv(EnvRuntimeDir), "/run/berth"),
		Table:        os.Getenv(EnvNFTable),
		NamePrefix:   os.Getenv(EnvNamePrefix),
		CgroupParent: os.Getenv(EnvCgroupParent),
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
