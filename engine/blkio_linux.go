package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// any reports whether b sets anything.
func (b *Blkio) any() bool {
	return b.Weight != 0 || len(b.WeightDevice)+len(b.ReadBps)+len(b.WriteBps)+len(b.ReadIOps)+len(b.WriteIOps) > 0
}

// blkioWrites are the block IO writes, one per device and file: v1's blkio.weight,
// blkio.weight_device and blkio.throttle.*_device ("major:minor value"), or BFQ's
// blkio.bfq.* where the kernel has those instead; v2's io.weight (or io.bfq.weight,
// with the weight converted as runc does) and io.max ("major:minor rbps=N ...").
// Weights are skipped where the kernel has no weight file (no proportional IO
// scheduler), as Docker discards them; see Resources.Unapplied.
func (cg *cgroup) blkioWrites(b Blkio) ([]kv, error) {
	if !b.any() {
		return nil, nil
	}
	if cg.v2 {
		return cg.ioWritesV2(b)
	}
	weight, weightDev := "blkio.weight", "blkio.weight_device"
	if !cg.has("blkio", weight) && cg.has("blkio", "blkio.bfq.weight") {
		weight, weightDev = "blkio.bfq.weight", "blkio.bfq.weight_device"
	}
	var w []kv
	if b.Weight > 0 {
		w = append(w, kv{ctrl: "blkio", v1: weight, val: strconv.Itoa(int(b.Weight)), optional: true})
	}
	for _, d := range b.WeightDevice {
		dev, err := blockDevice(d.Path)
		if err != nil {
			return nil, err
		}
		w = append(w, kv{ctrl: "blkio", v1: weightDev, val: fmt.Sprintf("%s %d", dev, d.Weight), optional: true})
	}
	for _, t := range []struct {
		file string
		devs []ThrottleDevice
	}{{"read_bps_device", b.ReadBps}, {"write_bps_device", b.WriteBps}, {"read_iops_device", b.ReadIOps}, {"write_iops_device", b.WriteIOps}} {
		for _, d := range t.devs {
			dev, err := blockDevice(d.Path)
			if err != nil {
				return nil, err
			}
			w = append(w, kv{ctrl: "blkio", v1: "blkio.throttle." + t.file, val: fmt.Sprintf("%s %d", dev, d.Rate), optional: true})
		}
	}
	return w, nil
}

// ioWritesV2 is blkioWrites on cgroup v2.
func (cg *cgroup) ioWritesV2(b Blkio) ([]kv, error) {
	var w []kv
	weight := func(dev string, v uint16) kv {
		if cg.has("", "io.bfq.weight") {
			return kv{v2: "io.bfq.weight", val: strings.TrimSpace(dev + " " + strconv.Itoa(int(v))), optional: true}
		}
		return kv{v2: "io.weight", val: dev + " " + strconv.Itoa(1+(int(v)-10)*9999/990), optional: true}
	}
	if b.Weight > 0 {
		kw := weight("", b.Weight)
		if kw.v2 == "io.weight" {
			kw.val = "default" + kw.val
		}
		w = append(w, kw)
	}
	for _, d := range b.WeightDevice {
		dev, err := blockDevice(d.Path)
		if err != nil {
			return nil, err
		}
		w = append(w, weight(dev, d.Weight))
	}
	max := map[string][]string{}
	var order []string
	for _, t := range []struct {
		key  string
		devs []ThrottleDevice
	}{{"rbps", b.ReadBps}, {"wbps", b.WriteBps}, {"riops", b.ReadIOps}, {"wiops", b.WriteIOps}} {
		for _, d := range t.devs {
			dev, err := blockDevice(d.Path)
			if err != nil {
				return nil, err
			}
			if _, ok := max[dev]; !ok {
				order = append(order, dev)
			}
			max[dev] = append(max[dev], fmt.Sprintf("%s=%d", t.key, d.Rate))
		}
	}
	for _, dev := range order {
		w = append(w, kv{v2: "io.max", val: dev + " " + strings.Join(max[dev], " "), optional: true})
	}
	return w, nil
}

// has reports whether the container's cgroup of ctrl ("" on v2) has file.
func (cg *cgroup) has(ctrl, file string) bool {
	_, err := os.Stat(filepath.Join(cg.dirs[ctrl], file))
	return err == nil
}

// blockDevice is "major:minor" of the block device node path on the host.
func blockDevice(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", fmt.Errorf("blkio device %q: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return "", fmt.Errorf("blkio device %q: not a block device: %w", path, ErrInvalid)
	}
	return fmt.Sprintf("%d:%d", unix.Major(uint64(st.Rdev)), unix.Minor(uint64(st.Rdev))), nil
}

func (b Blkio) unapplied(v2 bool, ctrls string) []string {
	if !b.any() {
		return nil
	}
	if v2 && !strings.Contains(ctrls, " io ") || !v2 && !exists(filepath.Join(cgroupRoot, "blkio", "cgroup.procs")) {
		return []string{"Blkio"}
	}
	if b.Weight == 0 && len(b.WeightDevice) == 0 {
		return nil
	}
	// A weight file exists only with a proportional scheduler (BFQ, CFQ on old kernels).
	for _, f := range []string{"blkio/blkio.weight", "blkio/blkio.bfq.weight", "io.weight", "io.bfq.weight"} {
		if exists(filepath.Join(cgroupRoot, f)) {
			return nil
		}
	}
	// The root has no io.weight on v2: a child of it tells (the engine's parent, or
	// any).
	if v2 && childHasWeight(cgroupRoot) {
		return nil
	}
	return []string{"Blkio.Weight"}
}

// childHasWeight reports whether some cgroup right under root has an io weight file.
func childHasWeight(root string) bool {
	names, _ := readDirNames(root)
	for _, n := range names {
		if exists(filepath.Join(root, n, "io.weight")) || exists(filepath.Join(root, n, "io.bfq.weight")) {
			return true
		}
	}
	return false
}
