package main

import (
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// logDriverCompose: sl logs to syslog at ${SOCK} (local3, rfc5424, a tag template),
// jd to the journal, udp to syslog on the host's loopback (reached from the host's
// network namespace, as the daemon's), lost to a syslog socket that does not exist.
const logDriverCompose = `services:
  sl:
    image: bte-busybox
    command: ["sh", "-c", "echo to-syslog; echo err-syslog >&2; exec sleep 3600"]
    stop_signal: SIGKILL
    logging:
      driver: syslog
      options:
        syslog-address: "unixgram://${SOCK}"
        syslog-facility: local3
        syslog-format: rfc5424
        tag: "{{.Name}}/{{.ID}}"
  jd:
    image: bte-busybox
    command: ["sh", "-c", "echo to-journal; exec sleep 3600"]
    stop_signal: SIGKILL
    logging: {driver: journald}
  udp:
    image: bte-busybox
    command: ["sh", "-c", "echo over-udp; exec sleep 3600"]
    stop_signal: SIGKILL
    logging: {driver: syslog, options: {syslog-address: "udp://127.0.0.1:${UDPPORT}", syslog-format: rfc3164}}
  nocache:
    image: bte-busybox
    command: ["sh", "-c", "echo uncached; exec sleep 3600"]
    stop_signal: SIGKILL
    logging: {driver: syslog, options: {syslog-address: "unixgram://${SOCK}", cache-disabled: "true", tag: nocache}}
  lost:
    image: bte-busybox
    command: ["sh", "-c", "echo kept; exec sleep 3600"]
    stop_signal: SIGKILL
    logging: {driver: syslog, options: {syslog-address: "unixgram:///nonexistent/berth.sock"}}
`

// The syslog and journald log drivers send each line as Docker's do (syslog's header
// and facility, the journal's native protocol with Docker's fields); logs still reads
// them from the json log (Docker's dual logging); a socket the host lacks is a warning
// at the logging key, the output kept in the json log.
func TestE2ELogDrivers(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	syslog := listenUnixgram(t, filepath.Join(dir, "syslog.sock"))
	journal := listenUnixgram(t, filepath.Join(dir, "journal.sock"))
	udp, lerr := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if lerr != nil {
		t.Fatal(lerr)
	}
	defer udp.Close()
	e.env = append(e.env, "SOCK="+filepath.Join(dir, "syslog.sock"), "BERTH_JOURNAL_SOCKET="+filepath.Join(dir, "journal.sock"),
		"UDPPORT="+strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port))
	file := writeCompose(t, logDriverCompose)
	_, stderr, err := e.berth("-f", file, "up", "-d")
	if err != nil {
		t.Fatalf("up: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "compose.yaml:32:23: services.lost.logging.driver: syslog-address") {
		t.Errorf("up's stderr has no warning for lost's missing syslog socket at its place:\n%s", stderr)
	}
	slID := e.containerID(file, "sl")
	tag := e.ctr("sl") + "/" + slID[:12]
	got := map[string]string{}
	for len(got) < 3 {
		m := readDatagram(t, syslog)
		if strings.Contains(m, " nocache[") {
			got["nocache"] = m
			continue
		}
		got[m[strings.LastIndex(m, " - ")+3:]] = m
	}
	if !strings.HasSuffix(got["nocache"], "]: uncached\n") {
		t.Errorf("syslog message of nocache = %q, want its line", got["nocache"])
	}
	for msg, pri := range map[string]string{"to-syslog\n": "<158>1 ", "err-syslog\n": "<155>1 "} {
		m := got[msg]
		if !strings.HasPrefix(m, pri) || !strings.Contains(m, " "+tag+" ") || !strings.HasSuffix(m, " "+tag+" - "+msg) {
			t.Errorf("syslog message for %q = %q, want priority %q (local3), rfc5424 with tag %s", msg, m, pri, tag)
		}
	}
	fields := journalFields(readDatagram(t, journal))
	jdID := e.containerID(file, "jd")
	want := map[string]string{"MESSAGE": "to-journal", "PRIORITY": "6", "CONTAINER_NAME": e.ctr("jd"),
		"CONTAINER_ID": jdID[:12], "CONTAINER_ID_FULL": jdID, "CONTAINER_TAG": jdID[:12],
		"SYSLOG_IDENTIFIER": jdID[:12], "IMAGE_NAME": "bte-busybox"}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("journal field %s = %q, want %q (all: %v)", k, fields[k], v, fields)
		}
	}
	buf := make([]byte, 4096)
	udp.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := udp.Read(buf)
	host, _ := os.Hostname()
	udpID := e.containerID(file, "udp")
	if want := " " + host + " " + udpID[:12] + "["; err != nil || !strings.HasPrefix(string(buf[:n]), "<30>") ||
		!strings.Contains(string(buf[:n]), want) || !strings.HasSuffix(string(buf[:n]), "]: over-udp\n") {
		t.Errorf("syslog over udp: %q, %v, want rfc3164 <30>... %s...]: over-udp", buf[:n], err, want)
	}
	// cache-disabled: no json log, and logs says what Docker says.
	if out, errs, err := e.berth("-f", file, "logs", "nocache"); err != nil || out != "" ||
		!strings.Contains(errs, "configured logging driver does not support reading") {
		t.Errorf("logs nocache: %v, %q\n%s\nwant Docker's warning that the driver cannot be read", err, out, errs)
	}
	for service, line := range map[string]string{"sl": "to-syslog", "jd": "to-journal", "lost": "kept"} {
		if out := e.mustBerth("-f", file, "logs", service); !strings.Contains(out, line) {
			t.Errorf("logs %s = %q, want %q", service, out, line)
		}
	}
}

func listenUnixgram(t *testing.T, path string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func readDatagram(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 64<<10)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("read log message: %v", err)
	}
	return string(buf[:n])
}

// journalFields decodes one message of the journal's native protocol.
func journalFields(m string) map[string]string {
	out := map[string]string{}
	for m != "" {
		line, rest, _ := strings.Cut(m, "\n")
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k], m = v, rest
			continue
		}
		if len(rest) < 8 {
			break
		}
		n := binary.LittleEndian.Uint64([]byte(rest[:8]))
		if uint64(len(rest)) < 8+n+1 {
			break
		}
		out[line], m = rest[8:8+n], rest[8+n+1:]
	}
	return out
}
