package engine

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// On cgroup v2 the device allow-list is a BPF_PROG_TYPE_CGROUP_DEVICE program attached
// to the container's cgroup (as runc and crun do): the kernel runs it on every open and
// mknod of a device node by a process of the cgroup, and denies the access (EPERM) when
// it returns 0. The program is built from the rules (an allow-list: a rule that matches
// returns 1, the end returns 0):
//
//	r2 = ctx->access_type & 0xffff     type: BPF_DEVCG_DEV_BLOCK 1, _CHAR 2
//	r3 = ctx->access_type >> 16        access: _ACC_MKNOD 1, _READ 2, _WRITE 4
//	r4 = ctx->major; r5 = ctx->minor
//	rule i: if r2 != type goto i+1     (no test for "a")
//	        if r3 & ^access goto i+1   (no test for "rwm")
//	        if r4 != major goto i+1    (no test for "*")
//	        if r5 != minor goto i+1    (no test for "*")
//	        return 1
//	i+1:    ...
//	end:    return 0
//
// It is attached with BPF_PROG_ATTACH and no flags (not a bpf link, which would detach
// when berth's descriptor closes): the cgroup holds the program until the cgroup is
// removed, whatever becomes of berth's process, and drops its reference with the
// cgroup (the program is freed once no cgroup and no process holds it). An attach without BPF_F_ALLOW_MULTI replaces the cgroup's program, so a
// restarted container's cgroup still holds exactly one. The programs of ancestors
// attached with BPF_F_ALLOW_MULTI (systemd's) still run too: each may deny.

// deviceFilter assembles the program for the allow-list rules.
func deviceFilter(rules []DeviceRule) asm.Instructions {
	insts := asm.Instructions{
		asm.LoadMem(asm.R2, asm.R1, 0, asm.Word),
		asm.And.Imm32(asm.R2, 0xffff),
		asm.LoadMem(asm.R3, asm.R1, 0, asm.Word),
		asm.RSh.Imm32(asm.R3, 16),
		asm.LoadMem(asm.R4, asm.R1, 4, asm.Word),
		asm.LoadMem(asm.R5, asm.R1, 8, asm.Word),
	}
	for i, r := range rules {
		next := "rule" + strconv.Itoa(i+1)
		block := asm.Instructions{}
		switch r.Type {
		case 'b':
			block = append(block, asm.JNE.Imm(asm.R2, unix.BPF_DEVCG_DEV_BLOCK, next))
		case 'c':
			block = append(block, asm.JNE.Imm(asm.R2, unix.BPF_DEVCG_DEV_CHAR, next))
		}
		if acc := bpfAccess(r.Access); acc != bpfAccess("rwm") {
			block = append(block,
				asm.Mov.Reg32(asm.R1, asm.R3),
				asm.And.Imm32(asm.R1, ^acc),
				asm.JNE.Imm(asm.R1, 0, next))
		}
		if r.Major >= 0 {
			block = append(block, asm.JNE.Imm(asm.R4, int32(r.Major), next))
		}
		if r.Minor >= 0 {
			block = append(block, asm.JNE.Imm(asm.R5, int32(r.Minor), next))
		}
		unconditional := len(block) == 0
		block = append(block, asm.Mov.Imm32(asm.R0, 1), asm.Return())
		block[0] = block[0].WithSymbol("rule" + strconv.Itoa(i))
		insts = append(insts, block...)
		if unconditional { // "a *:* rwm": what follows is unreachable, which the verifier refuses
			return insts
		}
	}
	return append(insts, asm.Mov.Imm32(asm.R0, 0).WithSymbol("rule"+strconv.Itoa(len(rules))), asm.Return())
}

// bpfAccess converts "rwm" letters to the program's access bits.
func bpfAccess(access string) int32 {
	var a int32
	for _, c := range access {
		switch c {
		case 'r':
			a |= unix.BPF_DEVCG_ACC_READ
		case 'w':
			a |= unix.BPF_DEVCG_ACC_WRITE
		case 'm':
			a |= unix.BPF_DEVCG_ACC_MKNOD
		}
	}
	return a
}

// loadWithMemlock runs load, and where it fails with EPERM lifts RLIMIT_MEMLOCK (see
// liftMemlock) and runs it once more: kernels before 5.11 charge BPF programs to that
// limit and refuse a load past it with EPERM; later kernels charge the memory cgroup
// and never need the lift. (cilium/ebpf/rlimit decides the same by probing the kernel
// in its package init, a BPF map created at the start of every berth command, 0.3 ms
// and more under load, whether it loads a program or not.)
func loadWithMemlock(load func() error) error {
	err := load()
	if !errors.Is(err, unix.EPERM) {
		return err
	}
	if lerr := liftMemlock(); lerr != nil {
		return errors.Join(err, lerr)
	}
	return load()
}

// liftMemlock lifts RLIMIT_MEMLOCK once, to unlimited or, without CAP_SYS_RESOURCE,
// to its hard limit, and keeps the limit it had in memlockBefore: shims started from
// this process inherit the lifted one, and give their containers the old one back
// (shimRecords.rlimits).
var liftMemlock = sync.OnceValue(liftMemlockNow)

func liftMemlockNow() error {
	var before unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &before); err != nil {
		return fmt.Errorf("memlock limit: %w", err)
	}
	lifted := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &lifted)
	if err != nil && before.Cur != before.Max {
		lifted = unix.Rlimit{Cur: before.Max, Max: before.Max}
		err = unix.Setrlimit(unix.RLIMIT_MEMLOCK, &lifted)
	}
	if err != nil {
		return fmt.Errorf("lift memlock limit: %w", err)
	}
	if lifted != before {
		memlockBefore.Store(&before)
	}
	return nil
}

// memlockBefore is RLIMIT_MEMLOCK as this process had it before liftMemlock lifted it;
// nil while not lifted.
var memlockBefore atomic.Pointer[unix.Rlimit]

// deviceProgramCache keeps the programs this process loaded, by their rules: most
// containers have the default allow-list, and loading (the verifier, the JIT) costs
// about 0.3 ms here where attaching costs about 0.02 ms. Each program stays loaded
// while this process lives; the cgroups hold their own references.
var deviceProgramCache struct {
	sync.Mutex
	progs map[string]*ebpf.Program
}

// deviceProgramCacheMax bounds the cache: past it, programs are loaded for one attach.
const deviceProgramCacheMax = 16

// deviceProgram returns the loaded program for rules and the function that releases it
// after the attach (it closes a program the cache does not keep).
func deviceProgram(rules []DeviceRule) (*ebpf.Program, func(), error) {
	key := fmt.Sprint(rules)
	c := &deviceProgramCache
	c.Lock()
	defer c.Unlock()
	if p := c.progs[key]; p != nil {
		return p, func() {}, nil
	}
	var p *ebpf.Program
	err := loadWithMemlock(func() (err error) {
		p, err = ebpf.NewProgram(&ebpf.ProgramSpec{
			Type:         ebpf.CGroupDevice,
			Instructions: deviceFilter(rules),
			License:      "Apache-2.0",
		})
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("load program: %w", err)
	}
	if len(c.progs) >= deviceProgramCacheMax {
		return p, func() { p.Close() }, nil
	}
	if c.progs == nil {
		c.progs = map[string]*ebpf.Program{}
	}
	c.progs[key] = p
	return p, func() {}, nil
}

// attachDeviceFilter attaches the program for rules to the cgroup v2 dir, replacing
// the program attached there before. It must run before any process joins the cgroup.
// The cgroup keeps the program.
func attachDeviceFilter(dir string, rules []DeviceRule) error {
	prog, release, err := deviceProgram(rules)
	if err != nil {
		return fmt.Errorf("device filter: %w", err)
	}
	defer release()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("device filter: open cgroup %q: %w", dir, err)
	}
	defer unix.Close(fd)
	err = link.RawAttachProgram(link.RawAttachProgramOptions{Target: fd, Program: prog, Attach: ebpf.AttachCGroupDevice})
	if err != nil {
		if errors.Is(err, unix.EPERM) {
			err = fmt.Errorf("%w (an ancestor cgroup holds a device program that forbids overriding it)", err)
		}
		return fmt.Errorf("device filter: attach to cgroup %q: %w", dir, err)
	}
	return nil
}
