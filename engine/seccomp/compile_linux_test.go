package seccomp

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dockerCaps is Docker's default capability set, as Resolve takes it.
var dockerCaps = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}

// call is one syscall as the filter sees it.
type call struct {
	arch uint32
	nr   uint32
	args [6]uint64
}

func x64(nr uint32, args ...uint64) call  { return mk(auditArchX86_64, nr, args) }
func x32(nr uint32, args ...uint64) call  { return mk(auditArchX86_64, nr|x32SyscallBit, args) }
func i386(nr uint32, args ...uint64) call { return mk(auditArchI386, nr, args) }

func mk(arch, nr uint32, args []uint64) call {
	c := call{arch: arch, nr: nr}
	copy(c.args[:], args)
	return c
}

// data is the call's struct seccomp_data for x/net/bpf's VM, which loads words in
// network byte order: each native u32 is written big-endian, the u64s low word first.
func (c call) data() []byte {
	b := binary.BigEndian.AppendUint32(nil, c.nr)
	b = binary.BigEndian.AppendUint32(b, c.arch)
	b = append(b, make([]byte, 8)...) // instruction pointer
	for _, a := range c.args {
		b = binary.BigEndian.AppendUint32(b, uint32(a))
		b = binary.BigEndian.AppendUint32(b, uint32(a>>32))
	}
	return b
}

// run runs prog on c in x/net/bpf's VM.
func run(t *testing.T, prog []bpf.RawInstruction, c call) uint32 {
	t.Helper()
	ins, ok := bpf.Disassemble(prog)
	if !ok {
		t.Fatal("disassemble: unknown instruction")
	}
	vm, err := bpf.NewVM(ins)
	if err != nil {
		t.Fatalf("NewVM: %v", err)
	}
	v, err := vm.Run(c.data())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return uint32(v)
}

func compile(t *testing.T, profile string, caps []string) []bpf.RawInstruction {
	t.Helper()
	p, err := Resolve(profile, caps)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	prog, err := Compile(p)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return prog
}

const (
	allow  = retAllow
	eperm  = retErrno | uint32(unix.EPERM)
	enosys = retErrno | uint32(unix.ENOSYS)
)

func TestDefaultProfile(t *testing.T) {
	withAdmin := append([]string{"CAP_SYS_ADMIN"}, dockerCaps...)
	const cloneNewUser, forkFlags = unix.CLONE_NEWUSER, unix.CLONE_CHILD_SETTID | unix.CLONE_CHILD_CLEARTID | uint64(unix.SIGCHLD)
	tests := []struct {
		name string
		caps []string
		call call
		want uint32
	}{
		{"read", dockerCaps, x64(unix.SYS_READ), allow},
		{"execve", dockerCaps, x64(unix.SYS_EXECVE), allow},
		{"unshare", dockerCaps, x64(unix.SYS_UNSHARE, unix.CLONE_NEWUSER), eperm},
		{"mount", dockerCaps, x64(unix.SYS_MOUNT), eperm},
		{"add_key", dockerCaps, x64(unix.SYS_ADD_KEY), eperm},
		{"keyctl", dockerCaps, x64(unix.SYS_KEYCTL), eperm},
		{"request_key", dockerCaps, x64(unix.SYS_REQUEST_KEY), eperm},
		{"clone3 ENOSYS", dockerCaps, x64(unix.SYS_CLONE3), enosys},
		{"clone fork", dockerCaps, x64(unix.SYS_CLONE, forkFlags), allow},
		{"clone new user ns", dockerCaps, x64(unix.SYS_CLONE, cloneNewUser|uint64(unix.SIGCHLD)), eperm},
		{"personality 0", dockerCaps, x64(unix.SYS_PERSONALITY, 0), allow},
		{"personality query", dockerCaps, x64(unix.SYS_PERSONALITY, 0xffffffff), allow},
		{"personality 0x20008", dockerCaps, x64(unix.SYS_PERSONALITY, 0x20008), allow},
		{"personality other", dockerCaps, x64(unix.SYS_PERSONALITY, 0x0040000), eperm},
		{"personality high bits", dockerCaps, x64(unix.SYS_PERSONALITY, 1<<32), eperm},
		{"ptrace (kernel >= 4.8)", dockerCaps, x64(unix.SYS_PTRACE), allow},
		{"socket inet", dockerCaps, x64(unix.SYS_SOCKET, unix.AF_INET), allow},
		{"socket unix", dockerCaps, x64(unix.SYS_SOCKET, unix.AF_UNIX), allow},
		{"socket netlink", dockerCaps, x64(unix.SYS_SOCKET, unix.AF_NETLINK), allow},
		{"socket vsock", dockerCaps, x64(unix.SYS_SOCKET, unix.AF_VSOCK), eperm},
		{"socket alg", dockerCaps, x64(unix.SYS_SOCKET, unix.AF_ALG), eperm},
		{"socket inet high bits", dockerCaps, x64(unix.SYS_SOCKET, 1<<32|unix.AF_INET), eperm},
		{"bpf", dockerCaps, x64(unix.SYS_BPF), eperm},
		{"unassigned number", dockerCaps, x64(400), eperm},
		{"above the profile's numbers", dockerCaps, x64(1000), enosys},
		{"nr -1", dockerCaps, x64(0xffffffff), enosys},
		{"i386 above the profile's numbers", dockerCaps, i386(1000), enosys},
		{"x32 above the profile's numbers", dockerCaps, x32(1000), enosys},
		{"CAP_SYS_ADMIN unshare", withAdmin, x64(unix.SYS_UNSHARE), allow},
		{"CAP_SYS_ADMIN mount", withAdmin, x64(unix.SYS_MOUNT), allow},
		{"CAP_SYS_ADMIN clone3", withAdmin, x64(unix.SYS_CLONE3), allow},
		{"CAP_SYS_ADMIN clone new user ns", withAdmin, x64(unix.SYS_CLONE, cloneNewUser), allow},
		{"i386 read", dockerCaps, i386(3), allow},
		{"i386 socketcall", dockerCaps, i386(102), allow},
		{"i386 unshare", dockerCaps, i386(310), eperm},
		{"i386 keyctl", dockerCaps, i386(288), eperm},
		{"i386 personality 8", dockerCaps, i386(136, 8), allow},
		{"x32 read", dockerCaps, x32(unix.SYS_READ), allow},
		{"x32 execve", dockerCaps, x32(520), allow},
		{"x32 unshare", dockerCaps, x32(unix.SYS_UNSHARE), eperm},
		{"x32 keyctl", dockerCaps, x32(unix.SYS_KEYCTL), eperm},
		{"aarch64", dockerCaps, mk(0xc00000b7, 63, nil), retKillProcess},
	}
	progs := map[string][]bpf.RawInstruction{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := strings.Join(tt.caps, ",")
			if progs[key] == nil {
				progs[key] = compile(t, "", tt.caps)
			}
			if got := run(t, progs[key], tt.call); got != tt.want {
				t.Errorf("filter(%+v) = %#x, want %#x", tt.call, got, tt.want)
			}
		})
	}
}

func TestCustomProfile(t *testing.T) {
	const (
		// A deny list: everything allowed but mkdir and mkdirat (EPERM), on every
		// architecture of Docker's x86_64 map.
		denyMkdir = `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],
			"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`
		// The same without architectures: x86_64 alone, others killed.
		nativeOnly = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`
		// An allow list of two: numbers above write's get ENOSYS (runc's stub).
		readWrite = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}`
		traceAll  = `{"defaultAction":"SCMP_ACT_TRACE","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`
		// An allow list of comparisons on arguments.
		ops = `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[
			{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967296,"op":"SCMP_CMP_GT"}]},
			{"names":["write"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":4294967296,"op":"SCMP_CMP_GE"}]},
			{"names":["close"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967296,"op":"SCMP_CMP_LT"}]},
			{"names":["dup"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967296,"op":"SCMP_CMP_LE"}]},
			{"names":["dup2"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":7,"op":"SCMP_CMP_NE"}]},
			{"names":["fcntl"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":4294967297,"valueTwo":4294967297,"op":"SCMP_CMP_MASKED_EQ"}]},
			{"names":["kill"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":9,"op":"SCMP_CMP_EQ"}]},
			{"names":["tkill"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]},
			{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
			{"names":["getppid"],"action":"SCMP_ACT_TRAP"},
			{"names":["gettid"],"action":"SCMP_ACT_KILL_PROCESS"},
			{"names":["sync"],"action":"SCMP_ACT_LOG"},
			{"names":["getuid"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
			{"names":["lseek"],"action":"SCMP_ACT_ALLOW","args":[{"index":2,"value":0,"op":"SCMP_CMP_EQ"}]},
			{"names":["lseek"],"action":"SCMP_ACT_ALLOW","args":[{"index":2,"value":2,"op":"SCMP_CMP_EQ"}]},
			{"names":["lseek"],"action":"SCMP_ACT_ALLOW","args":[{"index":2,"value":4294967297,"op":"SCMP_CMP_EQ"}]},
			{"names":["lseek"],"action":"SCMP_ACT_ERRNO","errnoRet":13,"args":[{"index":2,"value":3,"op":"SCMP_CMP_EQ"}]},
			{"names":["lseek"],"action":"SCMP_ACT_ERRNO","errnoRet":13,"args":[{"index":2,"value":4,"op":"SCMP_CMP_EQ"}]},
			{"names":["lseek"],"action":"SCMP_ACT_ERRNO","errnoRet":14,"args":[{"index":1,"value":4,"op":"SCMP_CMP_EQ"}]}]}`
	)
	errno := func(e unix.Errno) uint32 { return retErrno | uint32(e) }
	tests := []struct {
		name    string
		profile string
		call    call
		want    uint32
	}{
		{"mkdir denied", denyMkdir, x64(unix.SYS_MKDIR), eperm},
		{"mkdirat denied", denyMkdir, x64(unix.SYS_MKDIRAT), eperm},
		{"rmdir allowed", denyMkdir, x64(unix.SYS_RMDIR), allow},
		{"x32 mkdirat denied", denyMkdir, x32(unix.SYS_MKDIRAT), eperm},
		{"i386 mkdir denied", denyMkdir, i386(39), eperm},
		{"i386 mkdirat denied", denyMkdir, i386(296), eperm},
		{"i386 rmdir allowed", denyMkdir, i386(40), allow},
		{"native mkdirat", nativeOnly, x64(unix.SYS_MKDIRAT), eperm},
		{"default allow: no ENOSYS above", denyMkdir, x64(1000), allow},
		{"two allowed: read", readWrite, x64(unix.SYS_READ), allow},
		{"two allowed: above write", readWrite, x64(unix.SYS_OPEN), enosys},
		{"default trace: no ENOSYS above", traceAll, x64(1000), retTrace | uint32(unix.EPERM)},
		{"native x32 killed", nativeOnly, x32(unix.SYS_MKDIRAT), retKillProcess},
		{"native i386 killed", nativeOnly, i386(296), retKillProcess},
		{"GT above", ops, x64(unix.SYS_READ, 1<<32+1), allow},
		{"GT equal", ops, x64(unix.SYS_READ, 1<<32), errno(unix.ENOSYS)},
		{"GT low word bigger only", ops, x64(unix.SYS_READ, 0xffffffff), errno(unix.ENOSYS)},
		{"GT high word bigger", ops, x64(unix.SYS_READ, 2<<32), allow},
		{"GE equal", ops, x64(unix.SYS_WRITE, 0, 1<<32), allow},
		{"GE below", ops, x64(unix.SYS_WRITE, 0, 1<<32-1), errno(unix.ENOSYS)},
		{"LT below", ops, x64(unix.SYS_CLOSE, 0xffffffff), allow},
		{"LT equal", ops, x64(unix.SYS_CLOSE, 1<<32), errno(unix.ENOSYS)},
		{"LT high word smaller", ops, x64(unix.SYS_CLOSE, 5), allow},
		{"LE equal", ops, x64(unix.SYS_DUP, 1<<32), allow},
		{"LE above", ops, x64(unix.SYS_DUP, 1<<32+1), errno(unix.ENOSYS)},
		{"NE other", ops, x64(unix.SYS_DUP2, 8), allow},
		{"NE high word differs", ops, x64(unix.SYS_DUP2, 1<<32|7), allow},
		{"NE equal", ops, x64(unix.SYS_DUP2, 7), errno(unix.ENOSYS)},
		{"MASKED_EQ both bits", ops, x64(unix.SYS_FCNTL, 0, 1<<32|1|6), allow},
		{"MASKED_EQ low bit only", ops, x64(unix.SYS_FCNTL, 0, 1), errno(unix.ENOSYS)},
		{"MASKED_EQ high bit only", ops, x64(unix.SYS_FCNTL, 0, 1<<32), errno(unix.ENOSYS)},
		{"AND both", ops, x64(unix.SYS_KILL, 1, 9), allow},
		{"AND one", ops, x64(unix.SYS_KILL, 1, 15), errno(unix.ENOSYS)},
		{"repeated index is OR: first", ops, x64(unix.SYS_TKILL, 1), allow},
		{"repeated index is OR: second", ops, x64(unix.SYS_TKILL, 2), allow},
		{"repeated index is OR: neither", ops, x64(unix.SYS_TKILL, 3), errno(unix.ENOSYS)},
		{"errnoRet", ops, x64(unix.SYS_GETPID), errno(unix.EACCES)},
		{"trap", ops, x64(unix.SYS_GETPPID), retTrap},
		{"kill process", ops, x64(unix.SYS_GETTID), retKillProcess},
		{"log", ops, x64(unix.SYS_SYNC), retLog},
		{"rule with the default action", ops, x64(unix.SYS_GETUID), errno(unix.ENOSYS)},
		{"defaultErrnoRet", ops, x64(unix.SYS_OPENAT), errno(unix.ENOSYS)},
		{"equalities: first", ops, x64(unix.SYS_LSEEK, 0, 0, 0), allow},
		{"equalities: second", ops, x64(unix.SYS_LSEEK, 0, 0, 2), allow},
		{"equalities: none", ops, x64(unix.SYS_LSEEK, 0, 0, 1), errno(unix.ENOSYS)},
		{"equalities: other high word", ops, x64(unix.SYS_LSEEK, 0, 0, 1<<32|1), allow},
		{"equalities: high word differs", ops, x64(unix.SYS_LSEEK, 0, 0, 1<<32), errno(unix.ENOSYS)},
		{"equalities: high word differs 2", ops, x64(unix.SYS_LSEEK, 0, 0, 1<<32|2), errno(unix.ENOSYS)},
		{"equalities: other return", ops, x64(unix.SYS_LSEEK, 0, 0, 3), errno(unix.EACCES)},
		{"equalities: other return 2", ops, x64(unix.SYS_LSEEK, 0, 0, 4), errno(unix.EACCES)},
		{"equalities: other argument", ops, x64(unix.SYS_LSEEK, 0, 4, 7), errno(unix.EFAULT)},
		{"equalities: first match wins", ops, x64(unix.SYS_LSEEK, 0, 4, 2), allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(t, compile(t, tt.profile, dockerCaps), tt.call); got != tt.want {
				t.Errorf("filter(%+v) = %#x, want %#x", tt.call, got, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ name, profile string }{
		{"notify", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOTIFY"}]}`},
		{"unknown action", `{"defaultAction":"SCMP_ACT_MAYBE"}`},
		{"unknown operator", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ABOUT"}]}]}`},
		{"argument index", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Filter(tt.profile, dockerCaps)
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("Filter(%s) = %v, want ErrUnsupported", tt.profile, err)
			}
		})
	}
	if _, err := Filter(`{"defaultAction":`, dockerCaps); err == nil {
		t.Error("Filter(bad JSON) = nil error")
	}
	if p, err := Filter(`{}`, dockerCaps); p != nil || err != nil {
		t.Errorf("Filter({}) = %v, %v; want none (unconfined)", p, err)
	}
	if _, err := Filter(`{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}`, dockerCaps); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Filter(flag NEW_LISTENER) = %v, want ErrUnsupported", err)
	}
	p, err := Filter(`{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_TSYNC"]}`, dockerCaps)
	if want := uint32(unix.SECCOMP_FILTER_FLAG_LOG | unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW); err != nil || p.Flags != want {
		t.Errorf("Filter(flags) = %+v, %v; want flags %#x", p, err, want)
	}
}

// TestDefaultGolden pins the default program for Docker's default capabilities: its
// size and hash change only with the profile module, the kernel tables or the
// compiler (regenerate with -update, and review TestDefaultProfile).
func TestDefaultGolden(t *testing.T) {
	p, err := Filter("", dockerCaps)
	if err != nil {
		t.Fatal(err)
	}
	b := p.Code
	got := fmt.Sprintf("instructions %d\nsha256 %x\n", len(b)/8, sha256.Sum256(b))
	path := filepath.Join("testdata", "default.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("default program:\n%s\nwant (testdata/default.golden; -update after review):\n%s", got, want)
	}
}
