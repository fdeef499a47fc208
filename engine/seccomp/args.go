package seccomp

import (
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
)

// A comparison emits the test of one 64-bit argument: it falls through when the
// condition holds and goes to fail when not. seccomp_data holds each argument as a
// native (little-endian) u64: the low word first.
type comparison func(a *asm, c specs.LinuxSeccompArg, fail label)

var ops = map[specs.LinuxSeccompOperator]comparison{
	specs.OpEqualTo:      eq,
	specs.OpNotEqual:     ne,
	specs.OpMaskedEqual:  maskedEq,
	specs.OpGreaterThan:  ordered(bpf.JumpGreaterThan),
	specs.OpGreaterEqual: ordered(bpf.JumpGreaterOrEqual),
	specs.OpLessThan:     ordered(bpf.JumpLessThan),
	specs.OpLessEqual:    ordered(bpf.JumpLessOrEqual),
}

func lo(c specs.LinuxSeccompArg) uint32 { return offArgs + 8*uint32(c.Index) }
func hi(c specs.LinuxSeccompArg) uint32 { return lo(c) + 4 }

// eq: arg == value.
func eq(a *asm, c specs.LinuxSeccompArg, fail label) {
	a.load(hi(c))
	a.jumpIf(bpf.JumpEqual, uint32(c.Value>>32), next, fail)
	a.load(lo(c))
	a.jumpIf(bpf.JumpEqual, uint32(c.Value), next, fail)
}

// ne: arg != value.
func ne(a *asm, c specs.LinuxSeccompArg, fail label) {
	ok := a.newLabel()
	a.load(hi(c))
	a.jumpIf(bpf.JumpEqual, uint32(c.Value>>32), next, ok)
	a.load(lo(c))
	a.jumpIf(bpf.JumpEqual, uint32(c.Value), fail, next)
	a.mark(ok)
}

// maskedEq: arg & value == valueTwo (libseccomp's SCMP_CMP_MASKED_EQ(mask, datum)).
func maskedEq(a *asm, c specs.LinuxSeccompArg, fail label) {
	a.load(hi(c))
	a.and(uint32(c.Value >> 32))
	a.jumpIf(bpf.JumpEqual, uint32(c.ValueTwo>>32), next, fail)
	a.load(lo(c))
	a.and(uint32(c.Value))
	a.jumpIf(bpf.JumpEqual, uint32(c.ValueTwo), next, fail)
}

// ordered is an unsigned 64-bit comparison: the high words decide unless equal, then
// the low words, with cond.
func ordered(cond bpf.JumpTest) comparison {
	strict := map[bpf.JumpTest]bpf.JumpTest{ // what decides for the high words
		bpf.JumpGreaterThan: bpf.JumpGreaterThan, bpf.JumpGreaterOrEqual: bpf.JumpGreaterThan,
		bpf.JumpLessThan: bpf.JumpLessThan, bpf.JumpLessOrEqual: bpf.JumpLessThan,
	}[cond]
	return func(a *asm, c specs.LinuxSeccompArg, fail label) {
		ok := a.newLabel()
		a.load(hi(c))
		a.jumpIf(strict, uint32(c.Value>>32), ok, next)
		a.jumpIf(bpf.JumpEqual, uint32(c.Value>>32), next, fail)
		a.load(lo(c))
		a.jumpIf(cond, uint32(c.Value), next, fail)
		a.mark(ok)
	}
}
