package spec

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"github.com/berth-dev/berth/compose"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/project/internal/state"
)

// The syslog and journald log drivers, as Docker's: each line of output also goes to
// the host's syslog (or syslog-address) or journal, with Docker's header and fields;
// the json log stays besides (Docker's dual logging), so `logs` reads it. Where the
// host has no such socket the container keeps the json log only, and HostWarnings
// says so at the logging key.

// Where the log drivers look on the host; tests point them elsewhere.
var (
	// syslogPaths are srslog's local syslog sockets, in the order Docker tries them.
	syslogPaths = []string{"/dev/log", "/var/run/syslog", "/var/run/log"}
	// journalSocket is the journal's native socket; BERTH_JOURNAL_SOCKET overrides it.
	journalSocket = "/run/systemd/journal/socket"
)

// syslogFacilities are syslog-facility's names, as Docker's.
var syslogFacilities = map[string]int{"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4,
	"syslog": 5, "lpr": 6, "news": 7, "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23}

// logDriver is the service's log driver and options: logging:, else the legacy
// log_driver and log_opt.
func logDriver(svc compose.ServiceConfig) (string, map[string]string) {
	if svc.Logging != nil && svc.Logging.Driver != "" {
		return svc.Logging.Driver, svc.Logging.Options
	}
	if svc.Logging != nil && svc.LogDriver == "" {
		return "", svc.Logging.Options
	}
	return svc.LogDriver, svc.LogOpt
}

// noLocalLog reports whether the container keeps no json log: log driver none, or
// syslog with cache-disabled (Docker's dual logging off: logs then says the driver
// cannot be read). journald keeps it, as Docker reads the journal back.
func noLocalLog(svc compose.ServiceConfig) bool {
	driver, opts := logDriver(svc)
	return driver == "none" || driver == engine.LogSyslog && opts["cache-disabled"] == "true"
}

// logForward is the engine's LogForward of container c of svc: nil unless its log
// driver is syslog or journald and the host has the socket (the error says why not).
func logForward(svc compose.ServiceConfig, c *state.ContainerState) (*engine.LogForward, error) {
	driver, opts := logDriver(svc)
	if driver != engine.LogSyslog && driver != engine.LogJournald {
		return nil, nil
	}
	tag, err := logTag(opts, c)
	if err != nil {
		return nil, err
	}
	if driver == engine.LogJournald {
		path := journalPath()
		if err := dialable("unixgram", path); err != nil {
			return nil, fmt.Errorf("journald is not enabled on this host: %w", err)
		}
		return &engine.LogForward{Driver: driver, Network: "unixgram", Address: path,
			Fields: journalFields(c, tag, opts)}, nil
	}
	f := &engine.LogForward{Driver: driver, Format: opts["syslog-format"], Tag: tag}
	f.Hostname, _ = os.Hostname()
	if f.Facility, err = syslogFacility(opts["syslog-facility"]); err != nil {
		return nil, err
	}
	switch f.Format {
	case "", "rfc3164", "rfc5424", "rfc5424micro":
	default:
		return nil, fmt.Errorf("syslog-format %q: want rfc3164, rfc5424 or rfc5424micro", f.Format)
	}
	if f.Network, f.Address, err = syslogAddress(opts["syslog-address"]); err != nil {
		return nil, err
	}
	return f, nil
}

// LogDriverWarnings lists the services whose syslog or journald log driver this host
// cannot serve (no syslog or journal socket, an address that does not resolve, TLS),
// at their logging key: their output stays in the json log only.
func LogDriverWarnings(p *compose.Project) []compose.Warning {
	var out []compose.Warning
	for _, name := range p.ServiceNames() {
		svc := p.Services[name]
		c := &state.ContainerState{ID: strings.Repeat("0", 64), Name: name, Image: svc.Image}
		if _, err := logForward(svc, c); err != nil {
			key := "logging.driver"
			if svc.Logging == nil || svc.Logging.Driver == "" {
				key = "log_driver"
			}
			out = append(out, p.WarningAt("services."+name+"."+key,
				fmt.Sprintf("%v: the output stays in the json log only", err)))
		}
	}
	return out
}

func journalPath() string {
	if p := os.Getenv("BERTH_JOURNAL_SOCKET"); p != "" {
		return p
	}
	return journalSocket
}

// syslogAddress is syslog-address as Docker reads it (unix, unixgram, udp, tcp; a host
// without a port gets 514), the host name resolved; empty: the first local syslog
// socket that answers, as a datagram or a stream socket.
func syslogAddress(address string) (network, addr string, err error) {
	if address == "" {
		for _, p := range syslogPaths {
			for _, n := range []string{"unixgram", "unix"} {
				if dialable(n, p) == nil {
					return n, p, nil
				}
			}
		}
		return "", "", fmt.Errorf("no syslog socket on this host (%s)", strings.Join(syslogPaths, ", "))
	}
	u, err := url.Parse(address)
	if err != nil {
		return "", "", fmt.Errorf("syslog-address %q: %w", address, err)
	}
	switch u.Scheme {
	case "unix", "unixgram":
		if _, err := os.Stat(u.Path); err != nil {
			return "", "", fmt.Errorf("syslog-address %q: %w", address, err)
		}
		return u.Scheme, u.Path, nil
	case "udp", "tcp":
	case "tcp+tls":
		return "", "", fmt.Errorf("syslog-address %q: TLS is not supported by berth", address)
	default:
		return "", "", fmt.Errorf("syslog-address %q: unsupported scheme %q", address, u.Scheme)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, "514"
	}
	ips, err := net.LookupHost(host)
	if err != nil || len(ips) == 0 {
		return "", "", fmt.Errorf("syslog-address %q: resolve %s: %v", address, host, err)
	}
	return u.Scheme, net.JoinHostPort(ips[0], port), nil
}

// dialable reports whether a unix socket of that network answers at path.
func dialable(network, path string) error {
	c, err := net.Dial(network, path)
	if err != nil {
		return err
	}
	return c.Close()
}

// syslogFacility is syslog-facility as Docker reads it: a name or 0-23; daemon when
// empty.
func syslogFacility(s string) (int, error) {
	if s == "" {
		return syslogFacilities["daemon"], nil
	}
	if f, ok := syslogFacilities[s]; ok {
		return f, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 23 {
		return n, nil
	}
	return 0, fmt.Errorf("syslog-facility %q: invalid syslog facility", s)
}

// tagInfo is what a log tag template sees, as Docker's logger.Info.
type tagInfo struct{ c *state.ContainerState }

func (i tagInfo) ID() string          { return i.c.ID[:12] }
func (i tagInfo) FullID() string      { return i.c.ID }
func (i tagInfo) Name() string        { return i.c.Name }
func (i tagInfo) ImageName() string   { return i.c.Image }
func (i tagInfo) ImageID() string     { return shortImageID(i.c.Labels[state.LabelImage]) }
func (i tagInfo) ImageFullID() string { return i.c.Labels[state.LabelImage] }
func (i tagInfo) DaemonName() string  { return "berth" }
func (i tagInfo) Hostname() string    { h, _ := os.Hostname(); return h }

func shortImageID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// logTag is the tag option (a Go template, Docker's markup) or {{.ID}}.
func logTag(opts map[string]string, c *state.ContainerState) (string, error) {
	text := opts["tag"]
	if text == "" {
		text = "{{.ID}}"
	}
	t, err := template.New("tag").Parse(text)
	if err != nil {
		return "", fmt.Errorf("log tag %q: %w", text, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, tagInfo{c}); err != nil {
		return "", fmt.Errorf("log tag %q: %w", text, err)
	}
	return b.String(), nil
}

// journalFields are the fields Docker's journald driver sends with every line, and
// those the labels and env options ask for (keys upper-cased, other than [A-Z0-9_]
// replaced by _).
func journalFields(c *state.ContainerState, tag string, opts map[string]string) []string {
	fields := []string{"CONTAINER_ID=" + c.ID[:12], "CONTAINER_ID_FULL=" + c.ID, "CONTAINER_NAME=" + c.Name,
		"CONTAINER_TAG=" + tag, "IMAGE_NAME=" + c.Image, "SYSLOG_IDENTIFIER=" + tag}
	for _, l := range splitList(opts["labels"]) {
		if v, ok := c.Labels[l]; ok {
			fields = append(fields, journalKey(l)+"="+v)
		}
	}
	return fields
}

var notJournalKey = regexp.MustCompile(`[^A-Z0-9_]`)

func journalKey(k string) string {
	return strings.TrimLeft(notJournalKey.ReplaceAllString(strings.ToUpper(k), "_"), "_")
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
