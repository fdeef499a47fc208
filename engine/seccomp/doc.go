// Package seccomp compiles Docker's seccomp profiles (its JSON format, and its
// default profile from github.com/moby/profiles/seccomp) into the classic BPF program
// the kernel runs on every syscall of a container, for berth's shim to load just
// before the container's execve.
//
//	profile JSON (or Docker's default)
//	   |  Resolve: the rules that apply to this container: includes/excludes by its
//	   |           capabilities, by architecture and by kernel version (moby's code)
//	   v
//	specs.LinuxSeccomp
//	   |  Compile: arch check, then per architecture a chain of syscall checks and
//	   |           argument comparisons, with libseccomp's and runc's semantics
//	   v
//	[]bpf.RawInstruction  --Encode-->  struct sock_filter[] bytes for the shim
//
// The program (Compile):
//
//	ld arch
//	  x86_64 -> ld nr; nr >= 0x40000000 (x32)?
//	              no  -> search(x86_64)
//	              yes -> nr &^= 0x40000000; nr >= 512? -> search(x32's own) : search(x86_64)
//	  i386   -> ld nr; search(i386)
//	  other  -> kill the process
//	search: a binary search over segments of numbers with one outcome each, down
//	to "ret action" or a syscall's argument tests (64-bit: high word, low word)
//
// It is pure: no syscalls (but uname, for the profile's minKernel), no state. It
// compiles for x86_64 kernels (with their i386 and x32 ABIs); on another GOARCH
// Filter returns ErrUnsupported. It imports nothing of berth.
package seccomp
