package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestArgv(t *testing.T) {
	img := v1.Config{Entrypoint: []string{"ep"}, Cmd: []string{"c1"}}
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"image only", Spec{Image: img}, []string{"ep", "c1"}},
		{"spec cmd", Spec{Image: img, Cmd: []string{"x"}}, []string{"ep", "x"}},
		{"spec entrypoint drops image cmd", Spec{Image: img, Entrypoint: []string{"e2"}}, []string{"e2"}},
		{"empty entrypoint keeps spec cmd", Spec{Image: img, Entrypoint: []string{}, Cmd: []string{"sh"}}, []string{"sh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.spec.argv()
			if err != nil || !cmp.Equal(got, tt.want) {
				t.Errorf("argv() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := (&Spec{Entrypoint: []string{}}).argv(); !errors.Is(err, ErrInvalid) {
		t.Errorf("argv() of nothing = %v, want ErrInvalid", err)
	}
}

func TestEnv(t *testing.T) {
	s := Spec{Image: v1.Config{Env: []string{"PATH=/bin", "A=1"}}, Env: []string{"A=2", "B=3"}, Hostname: "h"}
	want := []string{"PATH=/bin", "A=2", "B=3", "HOSTNAME=h"}
	if got := s.env(); !cmp.Equal(got, want) {
		t.Errorf("env() = %q, want %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	ok := Spec{ID: "a", LayerDirs: []string{"/x"}, Cmd: []string{"true"}}
	bad := []Spec{
		{ID: "", LayerDirs: []string{"/x"}, Cmd: []string{"true"}},
		{ID: "a/b", LayerDirs: []string{"/x"}, Cmd: []string{"true"}},
		{ID: "..", LayerDirs: []string{"/x"}, Cmd: []string{"true"}},
		{ID: ".", LayerDirs: []string{"/x"}, Cmd: []string{"true"}},
		{ID: "a", Cmd: []string{"true"}},
		{ID: "a", LayerDirs: []string{"/x"}},
		{ID: "a", LayerDirs: []string{"/x"}, Cmd: []string{"true"}, Mounts: []Mount{{Type: "bind", Target: "rel"}}},
	}
	if err := ok.validate(); err != nil {
		t.Errorf("validate(%+v) = %v, want nil", ok, err)
	}
	for _, s := range bad {
		if err := s.validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("validate(%+v) = %v, want ErrInvalid", s, err)
		}
	}
}

func TestCapSet(t *testing.T) {
	tests := []struct {
		priv      bool
		add, drop []string
		want      uint64
	}{
		{false, nil, nil, 0xa80425fb},
		{false, []string{"net_admin"}, []string{"CAP_CHOWN"}, 0xa80435fa},
		{false, nil, []string{"ALL"}, 0},
		{true, nil, nil, 1<<41 - 1},
	}
	for _, tt := range tests {
		got, err := capSet(tt.priv, tt.add, tt.drop)
		if err != nil || got != tt.want {
			t.Errorf("capSet(%v, %q, %q) = %#x, %v; want %#x", tt.priv, tt.add, tt.drop, got, err, tt.want)
		}
	}
	if _, err := capSet(false, []string{"BOGUS"}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("capSet(BOGUS) = %v, want ErrInvalid", err)
	}
}

func TestSecureJoin(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "a/b"), 0o755)
	os.Symlink("/etc", filepath.Join(root, "abs"))
	os.Symlink("../../../../..", filepath.Join(root, "a/up"))
	os.Symlink("b", filepath.Join(root, "a/rel"))
	tests := map[string]string{
		"/a/b":          "a/b",
		"/abs/passwd":   "etc/passwd",
		"/a/up/x":       "x",
		"/a/rel/c":      "a/b/c",
		"/../../etc":    "etc",
		"/a/b/../../..": "",
	}
	for in, want := range tests {
		got, err := secureJoin(root, in)
		if err != nil || got != filepath.Join(root, want) {
			t.Errorf("secureJoin(%q) = %q, %v; want %q", in, got, err, filepath.Join(root, want))
		}
	}
}

func TestCgroupFiles(t *testing.T) {
	r := Resources{Memory: 1 << 20, MemorySwap: 2 << 20, CPUs: 1.5, CPUShares: 512, PidsLimit: 10}
	tests := []struct {
		v2   bool
		want map[string]string
	}{
		{false, map[string]string{"memory/memory.limit_in_bytes": "1048576", "memory/memory.memsw.limit_in_bytes": "2097152",
			"cpu/cpu.cfs_period_us": "100000", "cpu/cpu.cfs_quota_us": "150000", "cpu/cpu.shares": "512", "pids/pids.max": "10"}},
		{true, map[string]string{"memory.max": "1048576", "memory.swap.max": "1048576", "cpu.max": "150000 100000",
			"cpu.weight": "20", "pids.max": "10"}},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		cg := &cgroup{v2: tt.v2, dirs: map[string]string{"": dir}}
		swapFile := filepath.Join(dir, "memory.swap.max")
		if !tt.v2 {
			cg.dirs = map[string]string{}
			for _, c := range v1Controllers {
				cg.dirs[c] = filepath.Join(dir, c)
				os.Mkdir(cg.dirs[c], 0o755)
			}
			swapFile = filepath.Join(dir, "memory/memory.memsw.limit_in_bytes")
		}
		if err := os.WriteFile(swapFile, nil, 0o644); err != nil { // the kernel accounts swap
			t.Fatal(err)
		}
		if err := cg.setLimits(r); err != nil {
			t.Fatalf("setLimits(v2=%v) = %v", tt.v2, err)
		}
		got := map[string]string{}
		filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				b, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(dir, p)
				got[rel] = string(b)
			}
			return nil
		})
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("setLimits(v2=%v) files (-want +got):\n%s", tt.v2, diff)
		}
	}
}

func TestResolveUserParse(t *testing.T) {
	groups := [][]string{{"root", "x", "0", ""}, {"app", "x", "1000", ""}}
	for _, tt := range []struct {
		name string
		want int
		ok   bool
	}{{"app", 1000, true}, {"0", 0, true}, {"42", 42, true}, {"nope", 0, false}} {
		got, ok := lookupGroup(groups, tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("lookupGroup(%q) = %d, %v; want %d, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSwapLimit(t *testing.T) {
	const m = 100 << 20
	tests := []struct {
		name   string
		r      Resources
		v1, v2 string
	}{
		{"unset is twice memory", Resources{Memory: m}, "209715200", "104857600"},
		{"unlimited", Resources{Memory: m, MemorySwap: -1}, "-1", "max"},
		{"set", Resources{Memory: m, MemorySwap: 3 * m}, "314572800", "209715200"},
		{"equal means no swap", Resources{Memory: m, MemorySwap: m}, "104857600", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := swapV1(tt.r); got != tt.v1 {
				t.Errorf("swapV1(%+v) = %q, want %q", tt.r, got, tt.v1)
			}
			if got := swapV2(tt.r); got != tt.v2 {
				t.Errorf("swapV2(%+v) = %q, want %q", tt.r, got, tt.v2)
			}
		})
	}
}

func TestSwapLimitSkippedWithoutAccounting(t *testing.T) {
	dir := t.TempDir()
	cg := &cgroup{dirs: map[string]string{"memory": dir}}
	if err := cg.setLimits(Resources{Memory: 1 << 20}); err != nil {
		t.Fatalf("setLimits = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "memory.memsw.limit_in_bytes")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("memsw file written without swap accounting: stat = %v", err)
	}
}

func TestResourcesValidate(t *testing.T) {
	tests := []struct {
		r     Resources
		valid bool
	}{
		{Resources{}, true},
		{Resources{Memory: 10, MemorySwap: -1}, true},
		{Resources{Memory: 10, MemorySwap: 10}, true},
		{Resources{MemorySwap: 10}, false},
		{Resources{MemorySwap: -1}, false},
		{Resources{Memory: 10, MemorySwap: 5}, false},
		{Resources{Memory: 10, MemorySwap: -2}, false},
	}
	for _, tt := range tests {
		err := tt.r.validate()
		if (err == nil) != tt.valid || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%+v.validate() = %v, want valid %v (else ErrInvalid)", tt.r, err, tt.valid)
		}
	}
}

func TestRemoveTree(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "keep"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		build func(dir string) error
	}{
		{"missing", func(dir string) error { return os.Remove(dir) }},
		{"empty", func(dir string) error { return nil }},
		{"file instead of dir", func(dir string) error {
			if err := os.Remove(dir); err != nil {
				return err
			}
			return os.WriteFile(dir, nil, 0o644)
		}},
		{"nested", func(dir string) error {
			for _, d := range []string{"upper/proc", "upper/etc/deep/er", "work/work", "rootfs", "l"} {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
					return err
				}
			}
			for _, f := range []string{"state.json", "upper/etc/hosts", "upper/etc/deep/er/f"} {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
					return err
				}
			}
			// Links are removed, never followed.
			if err := os.Symlink(outside, filepath.Join(dir, "l", "0")); err != nil {
				return err
			}
			return os.Symlink(outside, filepath.Join(dir, "upper", "dirlink"))
		}},
		{"many entries", func(dir string) error {
			for i := 0; i < 600; i++ { // more than one getdents buffer
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file-with-a-long-name-%04d", i)), nil, 0o644); err != nil {
					return err
				}
			}
			return os.Mkdir(filepath.Join(dir, "sub"), 0o755)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "c")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := tt.build(dir); err != nil {
				t.Fatal(err)
			}
			if err := removeTree(dir); err != nil {
				t.Fatalf("removeTree = %v", err)
			}
			if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("after removeTree, Lstat = %v; want not exist", err)
			}
			if _, err := os.Stat(filepath.Join(outside, "keep")); err != nil {
				t.Errorf("a link was followed: %v", err)
			}
		})
	}
}
