package seccomp

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// label names a position in a program being assembled; next means "the following
// instruction" (a skip of 0).
type label int

const next label = -1

// asm collects classic BPF instructions whose jumps name labels, and resolves them.
// Conditional jumps reach at most 255 instructions ahead (their offsets are 8 bits):
// the compiler keeps every conditional target near and goes further with ja.
type asm struct {
	ins    []bpf.Instruction
	jumps  map[int][2]label // instruction index -> labels to resolve (true, false; or ja)
	labels []int            // label -> instruction index, -1 while unplaced
}

func newAsm() *asm { return &asm{jumps: map[int][2]label{}} }

func (a *asm) newLabel() label {
	a.labels = append(a.labels, -1)
	return label(len(a.labels) - 1)
}

// mark places l at the next instruction.
func (a *asm) mark(l label) { a.labels[l] = len(a.ins) }

func (a *asm) load(off uint32) { a.ins = append(a.ins, bpf.LoadAbsolute{Off: off, Size: 4}) }

func (a *asm) and(mask uint32) {
	a.ins = append(a.ins, bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mask})
}

func (a *asm) ret(v uint32) { a.ins = append(a.ins, bpf.RetConstant{Val: v}) }

// skipOne makes a label placed after the next instruction: "skip the ja that follows".
func (a *asm) skipOne() label {
	l := a.newLabel()
	a.labels[l] = len(a.ins) + 2
	return l
}

// jumpIf compares A with val and goes to t when cond holds, else to f.
func (a *asm) jumpIf(cond bpf.JumpTest, val uint32, t, f label) {
	a.jumps[len(a.ins)] = [2]label{t, f}
	a.ins = append(a.ins, bpf.JumpIf{Cond: cond, Val: val})
}

// jump goes to l (ja: a 32-bit offset).
func (a *asm) jump(l label) {
	a.jumps[len(a.ins)] = [2]label{l, next}
	a.ins = append(a.ins, bpf.Jump{})
}

// assemble resolves the labels and encodes the program.
func (a *asm) assemble() ([]bpf.RawInstruction, error) {
	skip := func(i int, l label) (uint32, error) {
		if l == next {
			return 0, nil
		}
		to := a.labels[l]
		if to <= i {
			return 0, fmt.Errorf("bpf: jump from %d to unplaced or earlier label %d", i, l)
		}
		return uint32(to - i - 1), nil
	}
	for i, ls := range a.jumps {
		t, err := skip(i, ls[0])
		if err != nil {
			return nil, err
		}
		f, err := skip(i, ls[1])
		if err != nil {
			return nil, err
		}
		switch in := a.ins[i].(type) {
		case bpf.Jump:
			in.Skip = t
			a.ins[i] = in
		case bpf.JumpIf:
			if t > 255 || f > 255 {
				return nil, fmt.Errorf("bpf: conditional jump at %d too far (%d, %d)", i, t, f)
			}
			in.SkipTrue, in.SkipFalse = uint8(t), uint8(f)
			a.ins[i] = in
		}
	}
	if len(a.ins) > maxInstructions {
		return nil, fmt.Errorf("bpf: program of %d instructions, over the kernel's limit of %d", len(a.ins), maxInstructions)
	}
	return bpf.Assemble(a.ins)
}

// maxInstructions is the kernel's BPF_MAXINSNS for a classic filter.
const maxInstructions = 4096
