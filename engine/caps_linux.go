package engine

import (
	"fmt"
	"strings"
)

// capNames maps capability names (without CAP_) to their numbers.
var capNames = map[string]int{
	"CHOWN": 0, "DAC_OVERRIDE": 1, "DAC_READ_SEARCH": 2, "FOWNER": 3, "FSETID": 4, "KILL": 5,
	"SETGID": 6, "SETUID": 7, "SETPCAP": 8, "LINUX_IMMUTABLE": 9, "NET_BIND_SERVICE": 10,
	"NET_BROADCAST": 11, "NET_ADMIN": 12, "NET_RAW": 13, "IPC_LOCK": 14, "IPC_OWNER": 15,
	"SYS_MODULE": 16, "SYS_RAWIO": 17, "SYS_CHROOT": 18, "SYS_PTRACE": 19, "SYS_PACCT": 20,
	"SYS_ADMIN": 21, "SYS_BOOT": 22, "SYS_NICE": 23, "SYS_RESOURCE": 24, "SYS_TIME": 25,
	"SYS_TTY_CONFIG": 26, "MKNOD": 27, "LEASE": 28, "AUDIT_WRITE": 29, "AUDIT_CONTROL": 30,
	"SETFCAP": 31, "MAC_OVERRIDE": 32, "MAC_ADMIN": 33, "SYSLOG": 34, "WAKE_ALARM": 35,
	"BLOCK_SUSPEND": 36, "AUDIT_READ": 37, "PERFMON": 38, "BPF": 39, "CHECKPOINT_RESTORE": 40,
}

// DefaultCaps is Docker's default capability set.
var DefaultCaps = []string{"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW",
	"SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"}

// capSet computes the capability mask: Docker's default set (everything when
// privileged), then cap_add, then cap_drop. "ALL" is allowed in both lists.
func capSet(privileged bool, add, drop []string) (uint64, error) {
	all := uint64(1)<<41 - 1
	var set uint64
	if privileged {
		set = all
	}
	for _, c := range DefaultCaps {
		set |= 1 << capNames[c]
	}
	apply := func(list []string, on bool) error {
		for _, c := range list {
			c = strings.TrimPrefix(strings.ToUpper(c), "CAP_")
			bit := all
			if c != "ALL" {
				n, ok := capNames[c]
				if !ok {
					return fmt.Errorf("capability %q: unknown: %w", c, ErrInvalid)
				}
				bit = 1 << n
			}
			if on {
				set |= bit
			} else {
				set &^= bit
			}
		}
		return nil
	}
	if err := apply(add, true); err != nil {
		return 0, err
	}
	if err := apply(drop, false); err != nil {
		return 0, err
	}
	return set, nil
}
