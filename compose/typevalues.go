package compose

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
)

// Duration is a time.Duration that encodes as Go's duration string ("1m30s").
type Duration time.Duration

// String returns the Go duration string.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON encodes the duration as its string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts a Go duration string or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("duration %s: %w", b, ErrInvalid)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, ErrInvalid)
	}
	*d = Duration(v)
	return nil
}

// UnitBytes is a size in bytes; it encodes as a quoted decimal, as Compose does.
type UnitBytes int64

// MarshalJSON encodes the size as a quoted decimal.
func (u UnitBytes) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf(`"%d"`, u)), nil }

// UnmarshalJSON accepts a number or a size string ("512m", "1073741824").
func (u *UnitBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("size %s: %w", b, ErrInvalid)
		}
		*u = UnitBytes(n)
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		n, err = units.RAMInBytes(s)
	}
	if err != nil {
		return fmt.Errorf("size %q: %w", s, ErrInvalid)
	}
	*u = UnitBytes(n)
	return nil
}

// NanoCPUs is a number of CPUs ("0.5" is half a core).
type NanoCPUs float32

// UnmarshalJSON accepts a number or a numeric string.
func (n *NanoCPUs) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*n = NanoCPUs(f)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("cpus %s: %w", b, ErrInvalid)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("cpus %q: %w", s, ErrInvalid)
	}
	*n = NanoCPUs(f)
	return nil
}

// DeviceCount is a number of devices; -1 means all.
type DeviceCount int64

// UnmarshalJSON accepts a number or "all".
func (c *DeviceCount) UnmarshalJSON(b []byte) error {
	var n int64
	if err := json.Unmarshal(b, &n); err == nil {
		*c = DeviceCount(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("device count %s: %w", b, ErrInvalid)
	}
	if strings.EqualFold(s, "all") {
		*c = -1
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("device count %q: want a number or all: %w", s, ErrInvalid)
	}
	*c = DeviceCount(n)
	return nil
}

// HostsList maps a host name to its addresses; it encodes as the sorted list of
// "host=ip" strings.
type HostsList map[string][]string

// MarshalJSON encodes the sorted "host=ip" list.
func (h HostsList) MarshalJSON() ([]byte, error) {
	list := make([]string, 0, len(h))
	for k, ips := range h {
		for _, ip := range ips {
			list = append(list, k+"="+ip)
		}
	}
	sort.Strings(list)
	return json.Marshal(list)
}

// UnmarshalJSON accepts a list of "host=ip" (or "host:ip") strings.
func (h *HostsList) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("extra_hosts: %w", ErrInvalid)
	}
	out := HostsList{}
	for _, e := range list {
		k, v, ok := strings.Cut(e, "=")
		if !ok {
			k, v, _ = strings.Cut(e, ":")
		}
		out[k] = append(out[k], v)
	}
	*h = out
	return nil
}

// ShellCommand is a command in exec form. Nil (JSON null) means "not set".
type ShellCommand []string

// StringList is a list of strings (a single string decodes as a list of one).
type StringList []string

// UnmarshalJSON accepts a string or a list of strings.
func (l *StringList) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = StringList{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("string list %s: %w", b, ErrInvalid)
	}
	*l = list
	return nil
}

// StringOrNumberList is a list of strings (expose: numbers become strings).
type StringOrNumberList []string

// MappingWithEquals maps names to values; a nil value is a name without a value
// (environment: taken from the process environment at run time, if set).
type MappingWithEquals map[string]*string

// Mapping maps names to string values.
type Mapping map[string]string

// Labels maps label names to values.
type Labels map[string]string

// DriverOptions maps driver option names to values.
type DriverOptions map[string]string

// EnvFile is an env_file entry: an absolute path, and whether a missing file is an
// error. A required entry encodes as its path alone, as Compose does.
type EnvFile struct {
	Path     string `json:"path,omitempty"`
	Required bool   `json:"required"`
	Format   string `json:"format,omitempty"`
}

// MarshalJSON encodes a required file as its path, else the object.
func (e *EnvFile) MarshalJSON() ([]byte, error) {
	if e.Required && e.Format == "" {
		return json.Marshal(e.Path)
	}
	type plain EnvFile
	return json.Marshal((*plain)(e))
}

// SSHKey is one build.ssh entry: an ID and an optional path.
type SSHKey struct {
	ID   string `json:"id,omitempty"`
	Path string `json:"path,omitempty"`
}

// SSHConfig is build.ssh.
type SSHConfig []SSHKey

// UnmarshalJSON accepts a list of "id" or "id=path", or a mapping of id to path.
func (s *SSHConfig) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		out := SSHConfig{}
		for _, e := range list {
			id, path, _ := strings.Cut(e, "=")
			out = append(out, SSHKey{ID: id, Path: path})
		}
		*s = out
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("build.ssh: %w", ErrInvalid)
	}
	out := SSHConfig{}
	for id, path := range m {
		out = append(out, SSHKey{ID: id, Path: path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	*s = out
	return nil
}

// MarshalJSON encodes a single limit as a number, else {"soft":..,"hard":..}.
func (u *UlimitsConfig) MarshalJSON() ([]byte, error) {
	if u.Single != 0 {
		return json.Marshal(u.Single)
	}
	type plain UlimitsConfig
	return json.Marshal((*plain)(u))
}

// UnmarshalJSON accepts a number or an object with soft and hard.
func (u *UlimitsConfig) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*u = UlimitsConfig{Single: n}
		return nil
	}
	type plain UlimitsConfig
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("ulimit %s: %w", b, ErrInvalid)
	}
	*u = UlimitsConfig(p)
	return nil
}
