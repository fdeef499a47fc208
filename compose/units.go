package compose

import (
	"fmt"
	"strconv"

	"github.com/docker/go-units"
)

// sizes normalizes byte sizes to Compose's JSON form (a decimal string of bytes) and
// cpus to numbers, reporting unparsable values at their position.
func (f *finalizer) sizes(base string, svc map[string]any) {
	for _, k := range []string{"mem_limit", "mem_reservation", "memswap_limit", "shm_size"} {
		f.size(base+"."+k, svc, k)
	}
	f.cpus(base+".cpus", svc, "cpus")
	if b, ok := svc["build"].(map[string]any); ok {
		f.size(base+".build.shm_size", b, "shm_size")
	}
	if bc, ok := svc["blkio_config"].(map[string]any); ok {
		for _, k := range []string{"device_read_bps", "device_read_iops", "device_write_bps", "device_write_iops"} {
			list, _ := bc[k].([]any)
			for i, e := range list {
				if m, ok := e.(map[string]any); ok {
					f.size(fmt.Sprintf("%s.blkio_config.%s[%d].rate", base, k, i), m, "rate")
				}
			}
		}
	}
	d, _ := svc["deploy"].(map[string]any)
	r, _ := d["resources"].(map[string]any)
	for _, k := range []string{"limits", "reservations"} {
		if m, ok := r[k].(map[string]any); ok {
			path := base + ".deploy.resources." + k
			f.size(path+".memory", m, "memory")
			f.cpus(path+".cpus", m, "cpus")
		}
	}
}

func (f *finalizer) size(path string, m map[string]any, k string) {
	v, ok := m[k]
	if !ok {
		return
	}
	if n, isInt := v.(int); isInt {
		m[k] = strconv.Itoa(n)
		return
	}
	s := fmt.Sprint(v)
	if s == "-1" {
		m[k] = s
		return
	}
	n, err := units.RAMInBytes(s)
	if err != nil {
		f.fail(path, "invalid size %q: expected bytes or a number with a unit like 512m or 1g", s)
		return
	}
	m[k] = strconv.FormatInt(n, 10)
}

func (f *finalizer) cpus(path string, m map[string]any, k string) {
	v, ok := m[k]
	if !ok {
		return
	}
	c, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	if err != nil || c < 0 {
		f.fail(path, "invalid cpus %q: expected a non-negative number like 0.5", fmt.Sprint(v))
		return
	}
	m[k] = c
}
