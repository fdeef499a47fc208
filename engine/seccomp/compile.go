package seccomp

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The kernel's seccomp ABI: return values (include/uapi/linux/seccomp.h), audit
// architectures, the x32 syscall bit and the layout of struct seccomp_data.
const (
	retKillProcess = 0x80000000
	retKillThread  = 0x00000000
	retTrap        = 0x00030000
	retErrno       = 0x00050000
	retTrace       = 0x7ff00000
	retLog         = 0x7ffc0000
	retAllow       = 0x7fff0000
	retData        = 0x0000ffff

	auditArchX86_64 = 0xc000003e
	auditArchI386   = 0x40000003
	x32SyscallBit   = 0x40000000

	offNr   = 0
	offArch = 4
	offArgs = 16
)

// badArch is what a syscall of an architecture the profile does not list gets, as
// libseccomp's default: the process is killed.
const badArch = retKillProcess

// ErrUnsupported: the profile asks for something the compiler does not do (a user
// notification action, an unknown action or operator).
var ErrUnsupported = errors.New("not supported")

// A syscall table maps names to the numbers of one architecture.
type syscallTable = map[string][]uint32

// Compile compiles a resolved profile (see Resolve) into a classic BPF seccomp
// program for an x86_64 kernel, with libseccomp's and runc's semantics:
//
//   - the architectures are the profile's (x86_64 alone when it lists none):
//     SCMP_ARCH_X86 adds the i386 syscall table, SCMP_ARCH_X32 the x32 numbers
//     (x86_64's with bit 30 set, and x32's own 512-547); any other architecture, and
//     x32 numbers when x32 is not listed, kill the process;
//   - a syscall's rules are tried in profile order, those with arguments first; the
//     first whose conditions all hold gives its action; none: the default action;
//   - conditions of one rule are ANDed, unless one argument index appears twice:
//     runc then makes one rule per condition (ORed);
//   - 64-bit argument comparisons are made on the high and low words;
//   - rules with the default action and names the kernel tables lack are skipped;
//   - SCMP_ACT_ERRNO and SCMP_ACT_TRACE return errnoRet (defaultErrnoRet for the
//     default action), EPERM without one;
//   - unless the default action allows (allow, log, trace), numbers above the highest
//     the profile names (per architecture) return ENOSYS, as runc's patchbpf does:
//     a newer libc then falls back from a syscall newer than the profile.
//
// It returns ErrUnsupported for SCMP_ACT_NOTIFY and unknown actions or operators.
func Compile(p *specs.LinuxSeccomp) ([]bpf.RawInstruction, error) {
	def, err := action(p.DefaultAction, p.DefaultErrnoRet)
	if err != nil {
		return nil, fmt.Errorf("default action: %w", err)
	}
	rules, err := splitRules(p.Syscalls, def)
	if err != nil {
		return nil, err
	}
	pol := policy{rules: rules, def: def, enosys: def != retAllow && def != retLog && def&^retData != retTrace}
	for _, c := range p.Syscalls {
		pol.names = append(pol.names, c.Names...)
	}
	x86_64, i386, x32 := arches(p.Architectures)
	a := newAsm()
	a.load(offArch)
	var sections []func()
	if x86_64 || x32 {
		l := a.newLabel()
		a.jumpIf(bpf.JumpEqual, auditArchX86_64, next, a.skipOne())
		a.jump(l)
		sections = append(sections, func() { a.mark(l); emitX86_64(a, pol, x86_64, x32) })
	}
	if i386 {
		l := a.newLabel()
		a.jumpIf(bpf.JumpEqual, auditArchI386, next, a.skipOne())
		a.jump(l)
		sections = append(sections, func() {
			a.mark(l)
			a.load(offNr)
			emitSection(a, tableI386(), pol)
		})
	}
	a.ret(badArch)
	for _, s := range sections {
		s()
	}
	return a.assemble()
}

// arches reports which of x86_64's architectures the profile lists (x86_64 alone
// when it lists none).
func arches(list []specs.Arch) (x86_64, i386, x32 bool) {
	for _, a := range list {
		switch a {
		case specs.ArchX86_64:
			x86_64 = true
		case specs.ArchX86:
			i386 = true
		case specs.ArchX32:
			x32 = true
		}
	}
	return x86_64 || len(list) == 0, i386, x32
}

// policy is what each architecture's section compiles: the rules, the default
// return, every name the profile mentions and whether numbers above the highest of
// them return ENOSYS.
type policy struct {
	rules  []rule
	def    uint32
	names  []string
	enosys bool
}

// emitX86_64 emits the x86_64 section. Its numbers with x32SyscallBit set are x32's,
// which are x86_64's but for x32's own (512-547, the calls whose arguments differ):
// an x32 number, bit cleared, goes through a small search of those, else through the
// same search as x86_64's, with the rules of the same names. (An x86_64 number that
// x32 lacks, such as 13, then passes as it would on x86_64, and the kernel answers
// ENOSYS.)
func emitX86_64(a *asm, pol policy, native, x32 bool) {
	a.load(offNr)
	l32, tree := a.newLabel(), a.newLabel()
	a.jumpIf(bpf.JumpGreaterOrEqual, x32SyscallBit, next, a.skipOne())
	a.jump(l32)
	if native {
		a.jump(tree)
	} else {
		a.ret(badArch)
	}
	a.mark(l32)
	if x32 {
		own := a.newLabel()
		a.and(^uint32(x32SyscallBit))
		a.jumpIf(bpf.JumpGreaterOrEqual, 512, next, a.skipOne())
		a.jump(own)
		a.jump(tree)
		a.mark(own)
		emitSection(a, tableX32Own(), pol)
	} else {
		a.ret(badArch)
	}
	a.mark(tree)
	emitSection(a, tableX86_64(), pol)
}

// table is t as a syscallTable.
func table(t map[string]uint32) syscallTable {
	m := make(syscallTable, len(t))
	for k, v := range t {
		m[k] = []uint32{v}
	}
	return m
}

// The tables, made once: x86_64's, i386's, and x32's own numbers
// (arch/x86/entry/syscalls/syscall_64.tbl, ABI "x32"), without x32SyscallBit.
var (
	tableX86_64 = sync.OnceValue(func() syscallTable { return table(syscallsX86_64) })
	tableI386   = sync.OnceValue(func() syscallTable { return table(syscallsI386) })
	tableX32Own = sync.OnceValue(func() syscallTable {
		m := make(syscallTable, len(x32Own))
		for i, name := range x32Own {
			m[name] = []uint32{uint32(512 + i)}
		}
		return m
	})
)

var x32Own = []string{"rt_sigaction", "rt_sigreturn", "ioctl", "readv", "writev", "recvfrom",
	"sendmsg", "recvmsg", "execve", "ptrace", "rt_sigpending", "rt_sigtimedwait",
	"rt_sigqueueinfo", "sigaltstack", "timer_create", "mq_notify", "kexec_load", "waitid",
	"set_robust_list", "get_robust_list", "vmsplice", "move_pages", "preadv", "pwritev",
	"rt_tgsigqueueinfo", "recvmmsg", "sendmmsg", "process_vm_readv", "process_vm_writev",
	"setsockopt", "getsockopt", "io_setup", "io_submit", "execveat", "preadv2", "pwritev2"}

// rule is one syscall rule after runc's split: its names, return value and conditions
// (ANDed).
type rule struct {
	names []string
	ret   uint32
	args  []specs.LinuxSeccompArg
}

// splitRules turns the profile's rules into rules, dropping those with the default
// action and splitting those with a repeated argument index into one per condition.
func splitRules(calls []specs.LinuxSyscall, def uint32) ([]rule, error) {
	var out []rule
	for i, c := range calls {
		ret, err := action(c.Action, c.ErrnoRet)
		if err != nil {
			return nil, fmt.Errorf("syscalls[%d] %v: %w", i, c.Names, err)
		}
		for _, arg := range c.Args {
			if arg.Index > 5 {
				return nil, fmt.Errorf("syscalls[%d] %v: argument index %d: %w", i, c.Names, arg.Index, ErrUnsupported)
			}
			if _, ok := ops[arg.Op]; !ok {
				return nil, fmt.Errorf("syscalls[%d] %v: operator %q: %w", i, c.Names, arg.Op, ErrUnsupported)
			}
		}
		if ret == def {
			continue
		}
		if !repeatsIndex(c.Args) {
			out = append(out, rule{c.Names, ret, c.Args})
			continue
		}
		for _, arg := range c.Args {
			out = append(out, rule{c.Names, ret, []specs.LinuxSeccompArg{arg}})
		}
	}
	return out, nil
}

func repeatsIndex(args []specs.LinuxSeccompArg) bool {
	seen := map[uint]bool{}
	for _, a := range args {
		if seen[a.Index] {
			return true
		}
		seen[a.Index] = true
	}
	return false
}

// action is the seccomp return value of a profile action.
func action(act specs.LinuxSeccompAction, errnoRet *uint) (uint32, error) {
	data := uint32(unix.EPERM)
	if errnoRet != nil {
		if *errnoRet > retData {
			return 0, fmt.Errorf("errnoRet %d: out of range: %w", *errnoRet, ErrUnsupported)
		}
		data = uint32(*errnoRet)
	}
	switch act {
	case specs.ActKill, specs.ActKillThread:
		return retKillThread, nil
	case specs.ActKillProcess:
		return retKillProcess, nil
	case specs.ActTrap:
		return retTrap, nil
	case specs.ActErrno:
		return retErrno | data, nil
	case specs.ActTrace:
		return retTrace | data, nil
	case specs.ActAllow:
		return retAllow, nil
	case specs.ActLog:
		return retLog, nil
	}
	return 0, fmt.Errorf("action %q: %w", act, ErrUnsupported)
}

// entry is one syscall number and its rules, those with conditions first.
type entry struct {
	nr    uint32
	rules []rule
}

// entries groups the rules by syscall number in the table, in ascending order.
func entries(tab syscallTable, rules []rule) []entry {
	byNr := map[uint32]*entry{}
	for _, conditional := range []bool{true, false} {
		for _, r := range rules {
			if (len(r.args) > 0) != conditional {
				continue
			}
			for _, name := range r.names {
				for _, nr := range tab[name] {
					e := byNr[nr]
					if e == nil {
						e = &entry{nr: nr}
						byNr[nr] = e
					}
					e.rules = append(e.rules, r)
				}
			}
		}
	}
	out := make([]entry, 0, len(byNr))
	for _, e := range byNr {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].nr < out[j].nr })
	return out
}

// segment is the syscall numbers from lo up to the next segment's lo, with one
// outcome: ret, or the rules of entry (a syscall whose outcome depends on its
// arguments; the segment then holds its number alone).
type segment struct {
	lo    uint32
	ret   uint32
	entry *entry
}

// segments cuts the numbers 0..2^32-1 into segments by outcome: neighbours with the
// same unconditional outcome (a run of allowed syscalls, a gap of unknown numbers)
// are one segment. From enosysFrom on (0: nowhere) numbers return ENOSYS.
func segments(es []entry, def, enosysFrom uint32) []segment {
	out := []segment{{lo: 0, ret: def}}
	add := func(s segment) {
		if n := len(out); out[n-1].lo == s.lo { // the last one is empty
			out = out[:n-1]
		}
		if n := len(out); n > 0 && s.entry == nil && out[n-1].entry == nil && out[n-1].ret == s.ret {
			return
		}
		out = append(out, s)
	}
	for i := range es {
		e := &es[i]
		if len(e.rules[0].args) == 0 {
			add(segment{lo: e.nr, ret: e.rules[0].ret})
		} else {
			add(segment{lo: e.nr, entry: e})
		}
		add(segment{lo: e.nr + 1, ret: def})
	}
	if enosysFrom > 0 {
		add(segment{lo: enosysFrom, ret: retErrno | uint32(unix.ENOSYS)})
	}
	return out
}

// emitSection emits the checks of one architecture; A holds the syscall number. It is
// a binary search over segments: a syscall meets about 2*log2(segments) instructions
// before its outcome. That matters twice: the kernel runs the filter on every syscall
// its action cache does not answer, and once per number and architecture when it
// loads it (to fill that cache), and the time to load grows with the program's
// length, which this keeps short (most of a millisecond per container start for a
// row of jeq's).
func emitSection(a *asm, tab syscallTable, pol policy) {
	var enosysFrom uint32
	if pol.enosys {
		for _, name := range pol.names {
			for _, nr := range tab[name] {
				enosysFrom = max(enosysFrom, nr+1)
			}
		}
	}
	emitSegments(a, segments(entries(tab, pol.rules), pol.def, enosysFrom), pol.def)
}

func emitSegments(a *asm, segs []segment, def uint32) {
	if len(segs) == 1 {
		emitOutcome(a, segs[0], def)
		return
	}
	mid := len(segs) / 2
	right := a.newLabel()
	if mid == 1 && segs[0].entry == nil { // the left side is one ret: jump over it
		a.jumpIf(bpf.JumpGreaterOrEqual, segs[1].lo, right, next)
		a.ret(segs[0].ret)
	} else {
		a.jumpIf(bpf.JumpGreaterOrEqual, segs[mid].lo, next, a.skipOne())
		a.jump(right)
		emitSegments(a, segs[:mid], def)
	}
	a.mark(right)
	emitSegments(a, segs[mid:], def)
}

// emitOutcome emits a segment's return, or its syscall's rules: each rule's
// conditions, then its return; the default when none holds.
func emitOutcome(a *asm, s segment, def uint32) {
	if s.entry == nil {
		a.ret(s.ret)
		return
	}
	rules := s.entry.rules
	for len(rules) > 0 {
		if n := equalRun(rules); n > 1 {
			emitOneOf(a, rules[:n])
			rules = rules[n:]
			continue
		}
		fail := a.newLabel()
		for _, c := range rules[0].args {
			ops[c.Op](a, c, fail)
		}
		a.ret(rules[0].ret)
		a.mark(fail)
		rules = rules[1:]
	}
	a.ret(def)
}

// equalRun is how many rules from the first are each one SCMP_CMP_EQ on the same
// argument, with the same high word and return (Docker's socket domains and
// personalities): they are tested as one.
func equalRun(rules []rule) int {
	one := func(r rule) bool { return len(r.args) == 1 && r.args[0].Op == specs.OpEqualTo }
	if !one(rules[0]) {
		return 0
	}
	first := rules[0].args[0]
	n := 1
	for n < len(rules) && n < runMax && one(rules[n]) && rules[n].ret == rules[0].ret &&
		rules[n].args[0].Index == first.Index && rules[n].args[0].Value>>32 == first.Value>>32 {
		n++
	}
	return n
}

// runMax bounds a run of equalities (their jumps reach 255 instructions ahead).
const runMax = 200

// emitOneOf emits rules that each compare the same argument for equality: the high
// word once, then the low word against each value; the first rule's return if one
// holds, else on to the following rules.
func emitOneOf(a *asm, rules []rule) {
	c := rules[0].args[0]
	hit, fail := a.newLabel(), a.newLabel()
	a.load(hi(c))
	a.jumpIf(bpf.JumpEqual, uint32(c.Value>>32), next, fail)
	a.load(lo(c))
	for _, r := range rules[:len(rules)-1] {
		a.jumpIf(bpf.JumpEqual, uint32(r.args[0].Value), hit, next)
	}
	a.jumpIf(bpf.JumpEqual, uint32(rules[len(rules)-1].args[0].Value), next, fail)
	a.mark(hit)
	a.ret(rules[0].ret)
	a.mark(fail)
}
