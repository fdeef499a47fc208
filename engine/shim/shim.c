/*
 * berth-shim: the per-container monitor of berth's engine, the container's PID 1 until
 * its execve, and the helper of Engine.Exec (`berth-shim exec`, see exec_main). See
 * package engine's doc comment ("Process model") for where it sits; this comment says
 * what it does.
 *
 * The starter (Engine.Start, Go) forks this program in its own namespaces, ahead of
 * time (a spare for the next Start) or when a Start begins, and writes its
 * configuration on fd 3 as NUL-terminated "key=value" records, of the keys of
 * protocol.h (generated from package engine/shimproto, the protocol's one table):
 *
 *   - proto=<version> first, in both modes: a shim of another protocol version (berth
 *     and shim of different builds) refuses it before it makes anything, with a failure
 *     of class proto (check_protocol);
 *   - pre=netns or pre= with the fork: a spare made ahead of time makes a network
 *     namespace at once, while nobody waits, for a container that will likely want one;
 *   - ns=/proc/<pid>/task/<tid>/ns, the starter's thread that has made the container's
 *     mount, uts and ipc namespaces (PID 1 joins them), and net=new|host|<path>: the
 *     shim makes (or joins) the network namespace and reports "net\n" on fd 4, while the
 *     thread mounts the rootfs, /dev, volumes and /etc files (it then joins the network
 *     namespace to mount /sys) and resolves the user, the working dir and the
 *     executable inside the rootfs;
 *   - io=pipes|tty[+stdin] and dir=<container dir>: enough for PID 1 to be born at once,
 *     with its stdio, while the starter still works; it waits for the rest;
 *   - the rest (keys below), then EOF; the shim relays a copy to PID 1. EOF before a
 *     record means the start failed in the starter, or a spare was never needed: the
 *     shim exits quietly (killing a PID 1 born already).
 *
 * The shim then
 *   - makes the container's stdio (two pipes, or a pseudo-terminal that PID 1 opens
 *     in the container's own devpts once in its root and hands back over a socket
 *     pair, so that `tty` names /dev/pts/0 as in Docker) and, with stdin, a pipe and
 *     the unix socket stdin.sock that hands its write end (or the pty master) to the
 *     first client (Engine.AttachStdin);
 *   - clones the container's PID 1 in a new pid namespace and puts it in the
 *     container's cgroups while PID 1 builds its root, before its execve. PID 1 joins
 *     the container's uts, ipc and mount namespaces (its pivot_root there moves
 *     nobody else's root: the starter's thread is chrooted into the rootfs, and the
 *     shim is not in it);
 *   - reports "ok <pid>\n" or "error <class> <text>\n" on fd 4 (the classes:
 *     CLASS_* of protocol.h; the text reads "step: cause"): PID 1 writes any failure
 *     before its execve on an O_CLOEXEC pipe, so EOF without data means the command
 *     runs;
 *   - copies the container's output into container.log as JSON lines
 *     ({"log","stream","time"}, Docker's json-file format), rotated by size, and with
 *     logfwd= also sends each line to a syslog or journald socket (fwd_line);
 *   - waits for PID 1 and writes its exit status into state.json (what
 *     Engine.State and Engine.Wait read), starts the exit hook if one is configured
 *     (run_exit_hook), then exits.
 *
 * PID 1 mounts /proc (it must be inside the pid namespace for that), pivots into the
 * rootfs, writes the sysctls, masks Docker's masked paths and makes the read-only ones
 * read-only, sets stdio, rlimits, the capability bounding set, no_new_privs, groups,
 * gid and uid, then the permitted, effective, inheritable and ambient sets as the
 * command will hold them, marks every fd above 2 close-on-exec (CVE-2024-21626),
 * loads the seccomp filter and execs the command; with init=1 it stays PID 1 instead
 * (with that same user, capabilities, no_new_privs and seccomp filter, as Docker's
 * init), forwards signals to the command, reaps orphans and exits with the command's
 * status.
 *
 * It is C, not Go, because it is on the path of every container start: a static
 * program without a runtime starts in under a millisecond here, a Go one in 5-6 ms,
 * PID 1 needs code between clone and execve, and setns into a mount namespace needs a
 * single-threaded process. It runs from a sealed memfd (CVE-2019-5736).
 *
 * The keys and their values are documented in protocol.h (KEY_*). In exec mode fd 4
 * carries only a failure, "<class> <text>", and closes at the command's execve.
 *
 * The seccomp filter is loaded where runc loads it (libcontainer/standard_init_linux.go):
 * with no_new_privs as the last step before execve; without it, loading needs
 * CAP_SYS_ADMIN, so it comes first in set_identity, before the capabilities, groups
 * and ids change. Every syscall made after it must be allowed by the profile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h" /* generated from package engine/shimproto: keys, reports, classes */

/* The protocol's version where the engine looks for it in this binary before it runs
 * it (checkShimProtocol): a stale shim is refused before any container is touched. */
__attribute__((used)) static const char protocol_mark[] = PROTOCOL_MARK;

/* The few kernel ABI bits used here, so that the shim builds against musl (the
 * Makefile's choice: its static binaries start in half the time of glibc's) or glibc
 * without the kernel headers. */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#endif
#ifndef PR_CAP_AMBIENT_CLEAR_ALL
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#define CAP_VERSION_3 0x20080522
struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };
struct sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sock_fprog { unsigned short len; struct sock_filter *filter; };
#define SECCOMP_SET_MODE_FILTER 1

#define CONFIG_FD 3
#define REPORT_FD 4
#define LINE_MAX_BYTES (16 << 10) /* a longer line is logged in pieces, as Go's copier did */

struct rlim { int res; rlim_t soft, hard; };

static struct {
	char *id, *dir, *rootfs, *path, *cwd, *oom, *oomscoreadj;
	char **argv, **envp; /* NULL-terminated */
	int argc, envc;
	uid_t uid;
	gid_t gid, *groups;
	int ngroups;
	uint64_t caps;
	int nnp, tty, openstdin, init, privileged, readonly, cgroupns, nolog;
	unsigned short rows, cols; /* winsize: the pty's initial size, 0 = unset */
	struct rlim rl[32];
	int nrl;
	char *procs[16];
	int nprocs;
	char **sysctls; /* key=value */
	int nsysctls;
	long long logmax;
	int logfiles;
	int target; /* exec: the container's PID 1 (host pid) */
	struct sock_fprog seccomp; /* len 0: unconfined */
	unsigned long seccomp_flags;
	char **hook, **hookenv; /* the exit hook's argv and environment, NULL-terminated */
	int nhook, nhookenv;
	char *hooksock; /* a unix socket: the hook is not run while something listens there */
	char *logfwd, *logaddr; /* the log driver output also goes to, and its socket */
	int logfacility;
	char *logformat, *loghost, *logtag; /* syslog */
	char **logfields; /* journald: KEY=value, NULL-terminated */
	int nlogfields;
} cfg;

/* ---- small helpers ---- */

/* errstr is strerror as Go spells it (lowercase first letter), so that the errors the
 * shim reports read like the rest of berth's. */
static const char *errstr(int e)
{
	static char buf[128];
	snprintf(buf, sizeof buf, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

static void writeall(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* oneline formats an error on one line (newlines become spaces). */
static void oneline(char *buf, size_t size, const char *fmt, va_list ap)
{
	vsnprintf(buf, size, fmt, ap);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

/* failfd writes a one-line failure on fd, its class (CLASS_*) and "what: strerror",
 * and exits with code. */
static void failfd(int fd, int code, const char *class, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	size_t n = (size_t)snprintf(buf, sizeof buf, "%s ", class);
	oneline(buf + n, sizeof buf - n, fmt, ap);
	va_end(ap);
	writeall(fd, buf, strlen(buf));
	_exit(code);
}

/* readall reads fd until EOF, after the npre bytes of pre (read from it already). */
static char *readall(int fd, size_t *len, const char *pre, size_t npre)
{
	size_t cap = 8192, n = npre;
	while (cap < npre * 2)
		cap *= 2;
	char *b = malloc(cap);
	if (npre)
		memcpy(b, pre, npre);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap);
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return b;
}

/* report_prefix starts a failure on the report fd: "error " for the monitor, whose
 * reports are lines of words (REPORT_*); nothing in exec mode, whose fd 4 carries only
 * a failure. */
static const char *report_prefix = REPORT_ERROR " ";

/* report_error reports a failure, its class (CLASS_*) and "what: strerror", and exits. */
static void report_error(const char *class, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	oneline(buf, sizeof buf, fmt, ap);
	va_end(ap);
	dprintf(REPORT_FD, "%s%s %s\n", report_prefix, class, buf);
	exit(1);
}

/* ---- configuration ---- */

/* The configuration as read, for PID 1, which parses its own copy. */
static char *raw_config;
static size_t raw_len;

static int parse_records(char *b, size_t len);
static int send_fd(int s, int fd);
static int open_pty(int *master, int *slave);

/* The configuration fd is read through cbuf: the records the shim takes one at a time
 * (read_record) come from as few read(2) calls as the starter made writes (a pipe's
 * read returns what is there, without waiting for more), not one call a byte;
 * parse_config takes what is left in it. */
static char cbuf[4096];
static size_t cpos, clen;

/* config_byte sets *c to the next byte of the configuration; it returns 0 at EOF. */
static int config_byte(char *c)
{
	if (cpos == clen) {
		ssize_t r;
		do
			r = read(CONFIG_FD, cbuf, sizeof cbuf);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return 0;
		cpos = 0, clen = (size_t)r;
	}
	*c = cbuf[cpos++];
	return 1;
}

/* parse_config reads the rest of the configuration (CONFIG_FD) until EOF and parses
 * it; it returns 0 at EOF without records. */
static int parse_config(void)
{
	size_t len;
	char *b = readall(CONFIG_FD, &len, cbuf + cpos, clen - cpos);
	cpos = clen;
	close(CONFIG_FD);
	if (len == 0)
		return 0;
	raw_config = malloc(len);
	memcpy(raw_config, b, len);
	raw_len = len;
	return parse_records(b, len);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* parse_filter decodes the seccomp record: the flags of seccomp(2) and struct
 * sock_filter[] (x86_64 byte order), in hex, as the engine compiled them. */
static void parse_filter(const char *rec)
{
	char *hex;
	cfg.seccomp_flags = strtoul(rec, &hex, 16);
	if (*hex++ != ':')
		report_error(CLASS_PROTO, "shim: bad seccomp record");
	size_t n = strlen(hex) / 2;
	if (strlen(hex) % 2 != 0 || n == 0 || n % sizeof(struct sock_filter) != 0 || n / sizeof(struct sock_filter) > 0xffff)
		report_error(CLASS_PROTO, "shim: bad seccomp filter of %zu bytes", n);
	unsigned char *b = malloc(n);
	for (size_t i = 0; i < n; i++) {
		int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);
		if (h < 0 || l < 0)
			report_error(CLASS_PROTO, "shim: bad seccomp filter");
		b[i] = (unsigned char)(h << 4 | l);
	}
	cfg.seccomp.filter = (struct sock_filter *)b;
	cfg.seccomp.len = (unsigned short)(n / sizeof(struct sock_filter));
}

/* parse_syslog reads "facility:format:hostname:tag" (the tag may hold colons). */
static void parse_syslog(char *v)
{
	char *f[3];
	for (int i = 0; i < 3; i++) {
		f[i] = v;
		if (!(v = strchr(v, ':')))
			report_error(CLASS_PROTO, "shim: bad %s record", KEY_LOGSYSLOG);
		*v++ = '\0';
	}
	cfg.logfacility = atoi(f[0]);
	cfg.logformat = f[1];
	cfg.loghost = f[2];
	cfg.logtag = v;
}

static int parse_records(char *b, size_t len)
{
	if (b[len - 1] != '\0')
		report_error(CLASS_PROTO, "shim: truncated configuration");
	size_t records = 0;
	for (size_t i = 0; i < len; i++)
		records += b[i] == '\0';
	cfg.argv = calloc(records + 1, sizeof(char *));
	cfg.envp = calloc(records + 1, sizeof(char *));
	cfg.groups = calloc(records + 1, sizeof(gid_t));
	cfg.sysctls = calloc(records + 1, sizeof(char *));
	cfg.hook = calloc(records + 1, sizeof(char *));
	cfg.hookenv = calloc(records + 1, sizeof(char *));
	cfg.logfields = calloc(records + 1, sizeof(char *));
	for (char *p = b, *next; p < b + len; p = next) {
		next = p + strlen(p) + 1;
		char *v = strchr(p, '=');
		if (!v)
			report_error(CLASS_PROTO, "shim: bad configuration record %.40s", p);
		*v++ = '\0';
		if (!strcmp(p, KEY_ID))
			cfg.id = v;
		else if (!strcmp(p, KEY_DIR))
			cfg.dir = v;
		else if (!strcmp(p, KEY_ROOTFS))
			cfg.rootfs = v;
		else if (!strcmp(p, KEY_PATH))
			cfg.path = v;
		else if (!strcmp(p, KEY_PID))
			cfg.target = atoi(v);
		else if (!strcmp(p, KEY_CWD))
			cfg.cwd = v;
		else if (!strcmp(p, KEY_OOM))
			cfg.oom = v;
		else if (!strcmp(p, KEY_OOMSCOREADJ))
			cfg.oomscoreadj = v;
		else if (!strcmp(p, KEY_NOLOG))
			cfg.nolog = 1;
		else if (!strcmp(p, KEY_ARG))
			cfg.argv[cfg.argc++] = v;
		else if (!strcmp(p, KEY_ENV))
			cfg.envp[cfg.envc++] = v;
		else if (!strcmp(p, KEY_UID))
			cfg.uid = (uid_t)strtoul(v, NULL, 10);
		else if (!strcmp(p, KEY_GID))
			cfg.gid = (gid_t)strtoul(v, NULL, 10);
		else if (!strcmp(p, KEY_GROUP))
			cfg.groups[cfg.ngroups++] = (gid_t)strtoul(v, NULL, 10);
		else if (!strcmp(p, KEY_CAPS))
			cfg.caps = strtoull(v, NULL, 16);
		else if (!strcmp(p, KEY_NNP))
			cfg.nnp = 1;
		else if (!strcmp(p, KEY_CGROUPNS))
			cfg.cgroupns = 1;
		else if (!strcmp(p, KEY_TTY))
			cfg.tty = 1;
		else if (!strcmp(p, KEY_WINSIZE)) {
			char *end;
			cfg.rows = (unsigned short)strtoul(v, &end, 10);
			cfg.cols = *end == ':' ? (unsigned short)strtoul(end + 1, NULL, 10) : 0;
		} else if (!strcmp(p, KEY_STDIN))
			cfg.openstdin = 1;
		else if (!strcmp(p, KEY_INIT))
			cfg.init = 1;
		else if (!strcmp(p, KEY_PRIVILEGED))
			cfg.privileged = 1;
		else if (!strcmp(p, KEY_READONLY))
			cfg.readonly = 1;
		else if (!strcmp(p, KEY_RLIMIT) && cfg.nrl < 32) {
			struct rlim *r = &cfg.rl[cfg.nrl++];
			char *end;
			r->res = (int)strtol(v, &end, 10);
			r->soft = (rlim_t)strtoull(end + 1, &end, 10);
			r->hard = (rlim_t)strtoull(end + 1, &end, 10);
		} else if (!strcmp(p, KEY_PROCS) && cfg.nprocs < 16)
			cfg.procs[cfg.nprocs++] = v;
		else if (!strcmp(p, KEY_SYSCTL))
			cfg.sysctls[cfg.nsysctls++] = v;
		else if (!strcmp(p, KEY_LOGMAX))
			cfg.logmax = strtoll(v, NULL, 10);
		else if (!strcmp(p, KEY_LOGFILES))
			cfg.logfiles = atoi(v);
		else if (!strcmp(p, KEY_SECCOMP))
			parse_filter(v);
		else if (!strcmp(p, KEY_HOOK))
			cfg.hook[cfg.nhook++] = v;
		else if (!strcmp(p, KEY_HOOKENV))
			cfg.hookenv[cfg.nhookenv++] = v;
		else if (!strcmp(p, KEY_HOOKSOCK))
			cfg.hooksock = v;
		else if (!strcmp(p, KEY_LOGFWD))
			cfg.logfwd = v;
		else if (!strcmp(p, KEY_LOGADDR))
			cfg.logaddr = v;
		else if (!strcmp(p, KEY_LOGSYSLOG))
			parse_syslog(v);
		else if (!strcmp(p, KEY_LOGFIELD))
			cfg.logfields[cfg.nlogfields++] = v;
		else
			report_error(CLASS_PROTO, "shim: unknown configuration key %.40s", p);
	}
	if (cfg.logfiles < 1)
		cfg.logfiles = 1;
	return 1;
}

/* ---- time and JSON ---- */

/* rfc3339 formats t as Go's time.RFC3339Nano in UTC (trailing zeros of the fraction
 * dropped), so that Go parses what it would have written. */
static int rfc3339(char *out, size_t n, const struct timespec *t)
{
	struct tm tm;
	gmtime_r(&t->tv_sec, &tm);
	int k = snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (t->tv_nsec != 0) {
		char frac[16];
		snprintf(frac, sizeof frac, ".%09ld", t->tv_nsec);
		int l = (int)strlen(frac);
		while (frac[l - 1] == '0')
			frac[--l] = '\0';
		k += snprintf(out + k, n - (size_t)k, "%s", frac);
	}
	k += snprintf(out + k, n - (size_t)k, "Z");
	return k;
}

/* utf8len returns the length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static int utf8len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	int len;
	unsigned min;
	if (c < 0x80)
		return 1;
	else if ((c & 0xe0) == 0xc0)
		len = 2, min = 0x80, c &= 0x1f;
	else if ((c & 0xf0) == 0xe0)
		len = 3, min = 0x800, c &= 0x0f;
	else if ((c & 0xf8) == 0xf0)
		len = 4, min = 0x10000, c &= 0x07;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

/* jsonstr appends s (n bytes) as a JSON string body to out, which must hold 6*n bytes:
 * control characters escaped, invalid UTF-8 replaced by U+FFFD, as Go's encoder does. */
static size_t jsonstr(char *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		if (c >= 0x80) {
			int l = utf8len(p + i, n - i);
			if (l == 0) {
				memcpy(out + o, "\\ufffd", 6);
				o += 6;
				i++;
			} else {
				memcpy(out + o, p + i, (size_t)l);
				o += (size_t)l;
				i += (size_t)l;
			}
			continue;
		}
		i++;
		switch (c) {
		case '"': out[o++] = '\\'; out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; out[o++] = '\\'; break;
		case '\n': out[o++] = '\\'; out[o++] = 'n'; break;
		case '\r': out[o++] = '\\'; out[o++] = 'r'; break;
		case '\t': out[o++] = '\\'; out[o++] = 't'; break;
		default:
			if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				memcpy(out + o, "\\u00", 4);
				out[o + 4] = hex[c >> 4];
				out[o + 5] = hex[c & 15];
				o += 6;
			} else
				out[o++] = (char)c;
		}
	}
	return o;
}

/* ---- log forwarding: syslog and journald ----
 *
 * With logfwd=syslog|journald each line of output also goes, as Docker's syslog and
 * journald log drivers send it, to the socket logaddr names; the json log is kept
 * besides (Docker's dual logging), so `logs` reads it. Every socket, unix, udp or tcp,
 * is made in the starter's network namespace (host_netns), as the daemon sends from the
 * host's: a unix socket made in the container's would keep that namespace, and its veths,
 * alive after the container is gone for as long as the log server leaves messages unread. A failed send redials once; a socket that cannot be dialled
 * is tried again after a second, the lines meanwhile dropped: the container never
 * waits on its log server longer than a send timeout. */

static int host_netns = -1;
static int fwdfd = -1;
static time_t fwd_retry; /* no dial before this time after a failure */

/* fwd_sockaddr fills sa from "ip:port" or "[ip6]:port"; it returns its length or 0. */
static socklen_t fwd_sockaddr(const char *hostport, struct sockaddr_storage *sa)
{
	char host[64];
	const char *colon = strrchr(hostport, ':');
	if (!colon || (size_t)(colon - hostport) >= sizeof host)
		return 0;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	int port = atoi(colon + 1);
	memset(sa, 0, sizeof *sa);
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1 ? sizeof *s6 : 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? sizeof *s4 : 0;
}

/* fwd_dial connects a socket to logaddr ("unixgram:/path", "unix:/path", "udp:ip:port",
 * "tcp:ip:port"); -1 on failure. */
static int fwd_dial(void)
{
	const char *addr = strchr(cfg.logaddr, ':');
	if (!addr)
		return -1;
	size_t netlen = (size_t)(addr++ - cfg.logaddr);
	int stream = !strncmp(cfg.logaddr, "unix", netlen) || !strncmp(cfg.logaddr, "tcp", netlen);
	int type = (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC;
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	int unix_addr = !strncmp(cfg.logaddr, "unix", 4), own = -1, fd = -1;
	if (!unix_addr && (!(salen = fwd_sockaddr(addr, &sa)) || host_netns < 0))
		return -1;
	if (host_netns >= 0) {
		own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (own < 0 || setns(host_netns, CLONE_NEWNET) != 0) {
			if (own >= 0)
				close(own);
			return -1;
		}
	}
	if (unix_addr) {
		struct sockaddr_un *su = (struct sockaddr_un *)&sa;
		memset(su, 0, sizeof *su);
		su->sun_family = AF_UNIX;
		snprintf(su->sun_path, sizeof su->sun_path, "%s", addr);
		salen = sizeof *su;
		fd = socket(AF_UNIX, type, 0);
	} else {
		fd = socket(sa.ss_family, type, 0);
	}
	struct timeval tv = {.tv_sec = 2};
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
			connect(fd, (struct sockaddr *)&sa, salen) != 0)) {
		close(fd);
		fd = -1;
	}
	if (own >= 0) {
		setns(own, CLONE_NEWNET);
		close(own);
	}
	return fd;
}

/* fwd_send sends one message, redialling once when the socket failed. */
static void fwd_send(const char *msg, size_t n)
{
	for (int try = 0; try < 2; try++) {
		if (fwdfd < 0) {
			if (time(NULL) < fwd_retry)
				return;
			if ((fwdfd = fwd_dial()) < 0) {
				fwd_retry = time(NULL) + 1;
				return;
			}
		}
		if (send(fwdfd, msg, n, MSG_NOSIGNAL) == (ssize_t)n)
			return;
		close(fwdfd);
		fwdfd = -1;
	}
}

/* syslog_head writes the header of a syslog message as Docker's syslog driver does
 * (srslog's formatters; format "" is its unix format), severity 3 (err) or 6 (info). */
static int syslog_head(char *out, size_t size, int severity)
{
	static const char mon[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	int pri = cfg.logfacility * 8 + severity, pid = (int)getpid();
	if (!strncmp(cfg.logformat, "rfc5424", 7)) {
		char frac[32] = "", zone[32] = "Z";
		if (!strcmp(cfg.logformat, "rfc5424micro"))
			snprintf(frac, sizeof frac, ".%06d", (int)(now.tv_nsec / 1000));
		int off = (int)(tm.tm_gmtoff / 60);
		if (off != 0)
			snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60 % 100, abs(off) % 60);
		return snprintf(out, size, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d%s%s %s %s %d %s - ", pri,
				tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
				frac, zone, cfg.loghost, cfg.logtag, pid, cfg.logtag);
	}
	char stamp[32];
	snprintf(stamp, sizeof stamp, "%s %2d %02d:%02d:%02d", mon[tm.tm_mon], tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	if (!strcmp(cfg.logformat, "rfc3164"))
		return snprintf(out, size, "<%d>%s %s %s[%d]: ", pri, stamp, cfg.loghost, cfg.logtag, pid);
	return snprintf(out, size, "<%d>%s %s[%d]: ", pri, stamp, cfg.logtag, pid);
}

/* journal_field appends a field in the journal's native protocol: KEY=value\n, or, for
 * a value with a newline, KEY\n, its length (64-bit little endian), value, \n. */
static size_t journal_field(char *out, const char *key, size_t keylen, const char *v, size_t n)
{
	size_t o = keylen;
	memcpy(out, key, keylen);
	if (!memchr(v, '\n', n))
		out[o++] = '=';
	else {
		out[o++] = '\n';
		for (int i = 0; i < 8; i++)
			out[o++] = (char)((uint64_t)n >> (8 * i));
	}
	memcpy(out + o, v, n);
	o += n;
	out[o++] = '\n';
	return o;
}

/* fwd_line sends one line of output (its newline dropped; empty lines are not sent). */
static void fwd_line(int err, const char *line, size_t n)
{
	static char *buf;
	static size_t cap;
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n == 0)
		return;
	size_t need = n + 1024;
	for (int i = 0; i < cfg.nlogfields; i++)
		need += strlen(cfg.logfields[i]) + 16;
	if (need > cap && !(buf = realloc(buf, cap = need)))
		return;
	size_t o = 0;
	if (!strcmp(cfg.logfwd, "syslog")) {
		o = (size_t)syslog_head(buf, 1024, err ? 3 : 6);
		memcpy(buf + o, line, n);
		o += n;
		buf[o++] = '\n';
	} else {
		for (int i = 0; i < cfg.nlogfields; i++) {
			const char *kv = cfg.logfields[i], *eq = strchr(kv, '=');
			if (eq)
				o += journal_field(buf + o, kv, (size_t)(eq - kv), eq + 1, strlen(eq + 1));
		}
		struct timespec now;
		char ts[64];
		clock_gettime(CLOCK_REALTIME, &now);
		o += journal_field(buf + o, "PRIORITY", 8, err ? "3" : "6", 1);
		o += journal_field(buf + o, "SYSLOG_TIMESTAMP", 16, ts, (size_t)rfc3339(ts, sizeof ts, &now));
		o += journal_field(buf + o, "MESSAGE", 7, line, n);
	}
	fwd_send(buf, o);
}

/* ---- the json log ---- */

static int logfd = -1;
static long long logsize;
static int dirfd_ = -1;

static void log_open(void)
{
	if (cfg.nolog) /* the "none" log driver: output is read and dropped */
		return;
	logfd = openat(dirfd_, "container.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	struct stat st;
	logsize = (logfd >= 0 && fstat(logfd, &st) == 0) ? st.st_size : 0;
}

/* log_rotate shifts container.log.N-1 -> .N ... container.log -> .1 and starts a new
 * file; with max-file 1 the old file is dropped. */
static void log_rotate(void)
{
	char from[64], to[64];
	close(logfd);
	if (cfg.logfiles <= 1) {
		unlinkat(dirfd_, "container.log", 0); /* a new file: followers notice the new inode */
		log_open();
		return;
	}
	for (int i = cfg.logfiles - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof from, "container.log");
		else
			snprintf(from, sizeof from, "container.log.%d", i - 1);
		snprintf(to, sizeof to, "container.log.%d", i);
		renameat(dirfd_, from, dirfd_, to);
	}
	log_open();
}

static void log_line(const char *stream, const char *line, size_t n)
{
	if (cfg.logfwd)
		fwd_line(!strcmp(stream, "stderr"), line, n);
	static char *buf;
	if (!buf)
		buf = malloc(LINE_MAX_BYTES * 6 + 256);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	size_t o = (size_t)sprintf(buf, "{\"log\":\"");
	o += jsonstr(buf + o, line, n);
	o += (size_t)sprintf(buf + o, "\",\"stream\":\"%s\",\"time\":\"", stream);
	o += (size_t)rfc3339(buf + o, 64, &now);
	o += (size_t)sprintf(buf + o, "\"}\n");
	if (logfd < 0)
		return;
	if (cfg.logmax > 0 && logsize > 0 && logsize + (long long)o > cfg.logmax)
		log_rotate();
	writeall(logfd, buf, o);
	logsize += (long long)o;
}

/* An output stream: its fd and the bytes of an unfinished line. */
struct stream {
	int fd;
	const char *name;
	char buf[LINE_MAX_BYTES];
	size_t n;
};

/* stream_read reads once; it logs every complete line, and a full buffer without a
 * newline as one entry. It returns 0 at EOF (or EIO: a pty whose slave is gone). */
static int stream_read(struct stream *s)
{
	ssize_t r = read(s->fd, s->buf + s->n, sizeof s->buf - s->n);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (r <= 0) {
		if (s->n > 0)
			log_line(s->name, s->buf, s->n);
		s->n = 0;
		return 0;
	}
	s->n += (size_t)r;
	size_t start = 0;
	for (size_t i = s->n - (size_t)r; i < s->n; i++) {
		if (s->buf[i] == '\n') {
			log_line(s->name, s->buf + start, i + 1 - start);
			start = i + 1;
		}
	}
	if (start == 0 && s->n == sizeof s->buf) {
		log_line(s->name, s->buf, s->n);
		s->n = 0;
		return 1;
	}
	memmove(s->buf, s->buf + start, s->n - start);
	s->n -= start;
	return 1;
}

/* ---- state.json ---- */

/* put_file replaces name (in the container dir) with buf: a temp file whose blocks are
 * reserved first (fallocate; where that is not supported, the file is fsynced instead),
 * written whole and closed, each step checked, then renamed over it. On failure the temp
 * file is removed and name keeps its old content (a full disk must never leave
 * state.json empty); it returns the failed step, with errno set, or NULL. As the
 * engine's writes of the container's files (atomicfile.WriteFileReserved), it does not
 * fsync: the container does not outlive a reboot. */
static const char *put_file(const char *name, const char *buf, size_t len)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, ".%s.%d.tmp", name, (int)getpid());
	int fd = openat(dirfd_, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return "create";
	const char *failed = NULL;
	int sync = 0;
	if (len > 0) {
		int r;
		while ((r = fallocate(fd, 0, 0, (off_t)len)) < 0 && errno == EINTR)
			;
		if (r < 0 && (errno == EOPNOTSUPP || errno == ENOSYS))
			sync = 1;
		else if (r < 0)
			failed = "reserve";
	}
	while (len > 0 && !failed) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO; /* a short write that makes no progress */
			failed = "write";
			break;
		}
		buf += w;
		len -= (size_t)w;
	}
	if (!failed && sync && fsync(fd) < 0)
		failed = "sync";
	int err = errno;
	if (close(fd) < 0 && !failed)
		failed = "close", err = errno;
	if (!failed && renameat(dirfd_, tmp, dirfd_, name) < 0)
		failed = "rename", err = errno;
	if (failed)
		unlinkat(dirfd_, tmp, 0);
	errno = err;
	return failed;
}

/* write_state records the container's state in state.json (Engine.State reads it). It
 * returns NULL, or the error as text (state.json then keeps its old content). */
static const char *write_state(const char *status, pid_t pid, int code, int sig, int oom,
			       const struct timespec *started, const struct timespec *finished)
{
	char st[64], fin[64] = "0001-01-01T00:00:00Z", id[512], buf[2048];
	static char msg[256];
	rfc3339(st, sizeof st, started);
	if (finished)
		rfc3339(fin, sizeof fin, finished);
	size_t n = strlen(cfg.id) < 80 ? strlen(cfg.id) : 80;
	id[jsonstr(id, cfg.id, n)] = '\0';
	int len = snprintf(buf, sizeof buf,
			   "{\"ID\":\"%s\",\"Status\":\"%s\",\"Pid\":%d,\"MonitorPid\":%d,\"ExitCode\":%d,"
			   "\"OOMKilled\":%s,\"Signal\":%d,\"StartedAt\":\"%s\",\"FinishedAt\":\"%s\"}",
			   id, status, (int)pid, (int)getpid(), code, oom ? "true" : "false", sig, st, fin);
	const char *failed = "format";
	int err = EOVERFLOW;
	if (len > 0 && (size_t)len < sizeof buf) {
		failed = put_file("state.json", buf, (size_t)len);
		err = errno;
	}
	if (!failed)
		return NULL;
	snprintf(msg, sizeof msg, "record state %s in %s/state.json: %s: %s", status,
		 cfg.dir ? cfg.dir : ".", failed, errstr(err));
	return msg;
}

/* report_late tells of a failure after the starter has gone (its report pipe is
 * closed): in the kernel log (/dev/kmsg; the disk may be what failed) and in the
 * container's log, where `berth logs` shows it if there is room. */
static void report_late(const char *msg)
{
	char line[512];
	int n = snprintf(line, sizeof line, "<3>berth-shim[%d]: container %.80s: %s\n", (int)getpid(),
			 cfg.id ? cfg.id : "?", msg);
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (n > 0)
			writeall(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
		close(fd);
	}
	n = snprintf(line, sizeof line, "berth-shim: %s", msg);
	if (n > 0)
		log_line("stderr", line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* oom_killed reads the cgroup's OOM counter ("file:key", e.g. memory.events and
 * "oom_kill "). */
static int oom_killed(void)
{
	if (!cfg.oom)
		return 0;
	char *sep = strrchr(cfg.oom, ':');
	if (!sep)
		return 0;
	*sep = '\0';
	const char *key = sep + 1;
	int fd = open(cfg.oom, O_RDONLY | O_CLOEXEC);
	*sep = ':';
	if (fd < 0)
		return 0;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	size_t kl = strlen(key);
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && strtol(l + kl, NULL, 10) > 0)
			return 1;
	return 0;
}

/* ---- PID 1 ---- */

static const char *masked[] = {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap", NULL};
static const char *readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger", NULL};

static int errfd = -1; /* PID 1's error pipe (O_CLOEXEC) */
static int ptyfd = -1; /* PID 1's end of the socket that hands the pty's master to the shim */

/* The container's mount, uts and ipc namespaces, made by the starter's thread: PID 1
 * joins them. */
static int ns_mnt = -1, ns_uts = -1, ns_ipc = -1;

#define FAIL(class, ...) failfd(errfd, 127, class, __VA_ARGS__)

static void xmount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) != 0)
		FAIL(CLASS_ROOTFS, "mount %s on %s (type %s): %s", src, dst, type ? type : "", errstr(errno));
}

/* write_sysctls writes the namespaced sysctls (the new /proc is this namespace's);
 * before /proc/sys turns read-only. */
static void write_sysctls(void)
{
	for (int i = 0; i < cfg.nsysctls; i++) {
		char path[PATH_MAX], *kv = cfg.sysctls[i], *eq = strchr(kv, '=');
		int n = snprintf(path, sizeof path, "/proc/sys/%.*s", (int)(eq - kv), kv);
		for (char *p = path + 10; p < path + n; p++)
			if (*p == '.')
				*p = '/';
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		size_t vl = strlen(eq + 1);
		if (fd < 0 || write(fd, eq + 1, vl) != (ssize_t)vl)
			FAIL(CLASS_ROOTFS, "sysctl %s: %s", kv, errstr(errno));
		close(fd);
	}
}

/* mask_paths masks Docker's masked paths (an empty read-only tmpfs on a directory,
 * /dev/null on a file) and makes the read-only ones read-only; paths this kernel lacks
 * are skipped. Each mount is tried directly: a failed lookup costs what a stat would. */
static void mask_paths(void)
{
	for (int i = 0; masked[i]; i++) {
		int dir = !strncmp(masked[i], "/sys/", 5) || !strcmp(masked[i], "/proc/acpi") ||
			  !strcmp(masked[i], "/proc/asound") || !strcmp(masked[i], "/proc/scsi");
		int r = dir ? mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, "")
			    : mount("/dev/null", masked[i], NULL, MS_BIND, NULL);
		if (r != 0 && (errno == ENOTDIR || errno == EISDIR || errno == EINVAL)) {
			/* not the kind expected: decide by what is there */
			struct stat st;
			if (stat(masked[i], &st) != 0)
				continue;
			r = S_ISDIR(st.st_mode) ? mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, "")
						: mount("/dev/null", masked[i], NULL, MS_BIND, NULL);
		}
		if (r != 0 && errno != ENOENT)
			FAIL(CLASS_ROOTFS, "mask %s: %s", masked[i], errstr(errno));
	}
	for (int i = 0; readonly[i]; i++) {
		if (mount(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL) != 0) {
			if (errno == ENOENT)
				continue;
			FAIL(CLASS_ROOTFS, "mount %s read-only: %s", readonly[i], errstr(errno));
		}
		xmount("", readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
}

/* drop_bounding drops from the bounding set every capability the container lacks (it
 * needs CAP_SETPCAP: before the uid changes). */
static void drop_bounding(void)
{
	for (int c = 0; c <= 63; c++) {
		if (cfg.caps & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0) {
			if (errno == EINVAL)
				break; /* past the kernel's last capability */
			FAIL(CLASS_IDENTITY, "drop capability %d: %s", c, errstr(errno));
		}
	}
}

/* limit_caps leaves the process the capabilities the command will hold after its
 * execve: the container's set, permitted and effective (the kernel cleared both when
 * the uid became non-root), inheritable at most that (normally empty), no ambient.
 * Without it PID 1 as init, which runs on without an execve, would keep all of
 * root's. */
static void limit_caps(void)
{
	struct cap_header h = {CAP_VERSION_3, 0};
	struct cap_data d[2];
	if (syscall(SYS_capget, &h, d) != 0)
		FAIL(CLASS_IDENTITY, "capget: %s", errstr(errno));
	for (int i = 0; i < 2; i++) {
		uint32_t keep = (uint32_t)(cfg.caps >> (32 * i));
		d[i].effective &= keep;
		d[i].permitted &= keep;
		d[i].inheritable &= keep;
	}
	if (syscall(SYS_capset, &h, d) != 0)
		FAIL(CLASS_IDENTITY, "capset: %s", errstr(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		FAIL(CLASS_IDENTITY, "clear ambient capabilities: %s", errstr(errno));
}

/* load_seccomp installs the filter, if any (see the top comment for when). */
static void load_seccomp(void)
{
	if (cfg.seccomp.len > 0 && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, cfg.seccomp_flags, &cfg.seccomp) != 0)
		FAIL(CLASS_IDENTITY, "load seccomp filter: %s", errstr(errno));
}

/* set_identity is the one place that gives the calling process the container's
 * restrictions: rlimits, working dir, capabilities (bounding, then after the uid
 * change permitted, effective, inheritable, ambient), no_new_privs, groups, gid, uid.
 * The command and, with init=1, PID 1 itself (pid1), as Docker's init runs, hold what
 * it sets; anything more the container's processes must be under (a seccomp filter)
 * is loaded by it first (without no_new_privs) or right after it, before pid1. */
static void set_identity(void)
{
	if (!cfg.nnp)
		load_seccomp(); /* needs CAP_SYS_ADMIN: before the capabilities go */
	for (int i = 0; i < cfg.nrl; i++) {
		struct rlimit r = {cfg.rl[i].soft, cfg.rl[i].hard};
		if (setrlimit(cfg.rl[i].res, &r) != 0)
			FAIL(CLASS_IDENTITY, "ulimit %d=%llu:%llu: %s", cfg.rl[i].res, (unsigned long long)r.rlim_cur,
			     (unsigned long long)r.rlim_max, errstr(errno));
	}
	if (chdir(cfg.cwd) != 0)
		FAIL(CLASS_IDENTITY, "working dir \"%s\": %s", cfg.cwd, errstr(errno));
	drop_bounding();
	if (cfg.nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		FAIL(CLASS_IDENTITY, "set no_new_privs: %s", errstr(errno));
	gid_t *groups = calloc((size_t)cfg.ngroups + 1, sizeof(gid_t));
	groups[0] = cfg.gid;
	memcpy(groups + 1, cfg.groups, sizeof(gid_t) * (size_t)cfg.ngroups);
	if (syscall(SYS_setgroups, cfg.ngroups + 1, groups) != 0)
		FAIL(CLASS_IDENTITY, "setgroups: %s", errstr(errno));
	if (syscall(SYS_setresgid, cfg.gid, cfg.gid, cfg.gid) != 0)
		FAIL(CLASS_IDENTITY, "setgid %u: %s", cfg.gid, errstr(errno));
	if (syscall(SYS_setresuid, cfg.uid, cfg.uid, cfg.uid) != 0)
		FAIL(CLASS_IDENTITY, "setuid %u: %s", cfg.uid, errstr(errno));
	limit_caps();
}

/* pid1 is init=1: the command runs as PID 1's child; signals are forwarded to it,
 * orphans reaped, and PID 1 exits with the command's status. PID 1 holds the
 * container's user, capabilities and no_new_privs (set_identity), as the command. */
static void pid1(void)
{
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	int go[2];
	if (pipe2(go, O_CLOEXEC) != 0)
		FAIL(CLASS_PROCESS, "pipe: %s", errstr(errno));
	pid_t child = fork();
	if (child < 0)
		FAIL(CLASS_PROCESS, "fork: %s", errstr(errno));
	if (child == 0) {
		/* The command waits until PID 1 holds no fd but stdio; its own errfd
		 * (O_CLOEXEC) says why its execve failed, or closes at the execve. */
		char b;
		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(127);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execve(cfg.path, cfg.argv, cfg.envp);
		FAIL(CLASS_EXEC, "exec \"%s\": %s", cfg.path, errstr(errno));
	}
	close(go[0]);
	/* Every fd but stdio and go[1], errfd among them: a container process, holding
	 * PID 1's capabilities, may open /proc/1/fd/N, and the container dir or a
	 * namespace of the shim's must not be there. The command's failed execve makes
	 * PID 1 exit with its 127 below. */
	if ((go[1] > 3 && syscall(SYS_close_range, 3, go[1] - 1, 0) != 0) ||
	    syscall(SYS_close_range, go[1] + 1, ~0U, 0) != 0)
		FAIL(CLASS_PROCESS, "close fds: %s", errstr(errno));
	if (write(go[1], "x", 1) != 1)
		_exit(127);
	close(go[1]);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p != child)
				continue;
			_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
		}
	}
}

struct stdio { int in, out, err, slave; };

static void container_main(int syncfd, int relayfd, struct stdio io)
{
	char b;
	if (setns(ns_uts, CLONE_NEWUTS) != 0 || setns(ns_ipc, CLONE_NEWIPC) != 0)
		FAIL(CLASS_NAMESPACE, "join the container's uts and ipc namespaces: %s", errstr(errno));
	if (setns(ns_mnt, CLONE_NEWNS) != 0)
		FAIL(CLASS_NAMESPACE, "join the container's mount namespace: %s", errstr(errno));
	/* Born before the starter finished the rootfs: the configuration arrives once it
	 * has, relayed by the shim (EOF without it: the start was given up). */
	size_t len;
	char *conf = readall(relayfd, &len, NULL, 0);
	close(relayfd);
	if (len == 0)
		_exit(1);
	parse_records(conf, len);
	char proc[PATH_MAX];
	snprintf(proc, sizeof proc, "%s/proc", cfg.rootfs);
	xmount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (chdir(cfg.rootfs) != 0)
		FAIL(CLASS_ROOTFS, "pivot_root: %s", errstr(errno));
	if (syscall(SYS_pivot_root, ".", ".") != 0)
		FAIL(CLASS_ROOTFS, "pivot_root \"%s\": %s", cfg.rootfs, errstr(errno));
	if (umount2(".", MNT_DETACH) != 0)
		FAIL(CLASS_ROOTFS, "detach old root: %s", errstr(errno));
	if (chdir("/") != 0)
		FAIL(CLASS_ROOTFS, "chdir /: %s", errstr(errno));
	write_sysctls();
	if (!cfg.privileged)
		mask_paths();
	if (cfg.readonly)
		xmount("", "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	if (cfg.tty) {
		int master;
		if (!open_pty(&master, &io.slave))
			FAIL(CLASS_STDIO, "open pty: %s", errstr(errno));
		/* Sized before the command runs, which may ask at once (`stty size`). */
		struct winsize ws = {.ws_row = cfg.rows, .ws_col = cfg.cols};
		if (cfg.rows && cfg.cols && ioctl(master, TIOCSWINSZ, &ws) != 0)
			FAIL(CLASS_STDIO, "pty size: %s", errstr(errno));
		if (!send_fd(ptyfd, master))
			FAIL(CLASS_STDIO, "hand the pty to the shim: %s", errstr(errno));
		close(master);
		close(ptyfd);
		if (setsid() < 0)
			FAIL(CLASS_STDIO, "setsid: %s", errstr(errno));
		io.in = io.out = io.err = io.slave;
	} else if (io.in < 0) {
		io.in = open("/dev/null", O_RDONLY);
		if (io.in < 0)
			FAIL(CLASS_STDIO, "open /dev/null: %s", errstr(errno));
	}
	if (dup2(io.in, 0) < 0 || dup2(io.out, 1) < 0 || dup2(io.err, 2) < 0)
		FAIL(CLASS_STDIO, "stdio: %s", errstr(errno));
	if (cfg.tty && ioctl(0, TIOCSCTTY, 0) != 0)
		FAIL(CLASS_STDIO, "controlling terminal: %s", errstr(errno));
	/* The byte that says the shim has put this process in the container's cgroups. */
	if (read(syncfd, &b, 1) != 1)
		_exit(1);
	close(syncfd);
	/* cgroup v2: a cgroup namespace rooted at the container's cgroup, as Docker's
	 * default; /proc/self/cgroup then says "0::/" and the cgroup the starter bound on
	 * /sys/fs/cgroup is its root. Without it (an old kernel) the container still sees
	 * its cgroup there, under its full path. */
	if (cfg.cgroupns)
		unshare(CLONE_NEWCGROUP);
	set_identity();
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
		FAIL(CLASS_PROCESS, "close fds: %s", errstr(errno));
	/* From here on PID 1 holds only what the container's process holds: init too. */
	if (cfg.nnp)
		load_seccomp();
	if (cfg.init)
		pid1();
	execve(cfg.path, cfg.argv, cfg.envp);
	FAIL(CLASS_EXEC, "exec \"%s\": %s", cfg.path, errstr(errno));
}

/* ---- the monitor ---- */


static int listen_stdin(void)
{
	unlinkat(dirfd_, "stdin.sock", 0);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		report_error(CLASS_STDIO, "stdin socket: %s", errstr(errno));
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	/* Named through the dir's fd: a long engine root would not fit in sun_path. */
	snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d/stdin.sock", dirfd_);
	if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0)
		report_error(CLASS_STDIO, "stdin socket: %s", errstr(errno));
	return s;
}

/* send_fd sends fd over the unix socket s with one byte; it returns 1 once sent. */
static int send_fd(int s, int fd)
{
	char byte = 0;
	struct iovec iov = {&byte, 1};
	char ctl[CMSG_SPACE(sizeof(int))];
	memset(ctl, 0, sizeof ctl);
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(s, &m, MSG_NOSIGNAL) == 1;
}

/* recv_fd receives one fd sent by send_fd (close-on-exec), or -1 (EOF: the sender
 * died first). */
static int recv_fd(int s)
{
	char byte;
	struct iovec iov = {&byte, 1};
	char ctl[CMSG_SPACE(sizeof(int))];
	memset(ctl, 0, sizeof ctl);
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	ssize_t n;
	while ((n = recvmsg(s, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (n != 1 || !cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* hand_stdin sends fd to one client of the stdin socket; it returns 1 once handed. */
static int hand_stdin(int ln, int fd)
{
	int c = accept4(ln, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return 0;
	int ok = send_fd(c, fd);
	close(c);
	return ok;
}

/* open_pty opens a new pseudo-terminal of the devpts at /dev/pts. PID 1 calls it once
 * in its root, so that the terminal is one of the container's own devpts (`tty` names
 * /dev/pts/0, as in Docker), not the host's, which the container cannot see. */
static int open_pty(int *master, int *slave)
{
	*master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return 0;
	int unlock = 0, n;
	if (ioctl(*master, TIOCSPTLCK, &unlock) != 0 || ioctl(*master, TIOCGPTN, &n) != 0)
		return 0;
	char name[64];
	snprintf(name, sizeof name, "/dev/pts/%d", n);
	*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	return *slave >= 0;
}

/* read_record reads one NUL-terminated record from the configuration (through cbuf:
 * the rest of the configuration comes later); it exits quietly at EOF: the starter
 * gave up, or never needed this (spare) shim. In exec mode EOF is a failure: its
 * caller reads the exit status as the command's. */
static void read_record(char *rec, size_t size, const char *key)
{
	size_t n = 0;
	while (n < size - 1 && config_byte(rec + n) && rec[n] != '\0')
		n++;
	rec[n] = '\0';
	if (n == 0 && !*report_prefix)
		report_error(CLASS_PROTO, "shim exec: no configuration");
	if (n == 0)
		exit(0);
	if (strncmp(rec, key, strlen(key)) != 0)
		report_error(CLASS_PROTO, "shim protocol: expected the configuration record %s, not %.40s", key, rec);
}

/* check_protocol reads the first record, which must be proto=PROTOCOL_VERSION: a berth
 * and a shim of different builds speak different protocols, and nothing may be made
 * from a configuration misread. Its failure is the one message every version of berth
 * must understand ("<prefix>proto ..."). */
static void check_protocol(void)
{
	char rec[64];
	read_record(rec, sizeof rec, KEY_PROTO "=");
	const char *v = rec + strlen(KEY_PROTO "=");
	if (strcmp(v, PROTOCOL_VERSION) != 0)
		report_error(CLASS_PROTO, "shim protocol: berth speaks version %.20s, its shim version %s: rebuild berth with make",
			     v, PROTOCOL_VERSION);
}

/* join_namespaces reads the first two records: ns=<dir> (the starter's thread's
 * /proc/<pid>/task/<tid>/ns) and net=new|host|<path>; it opens the former for PID 1,
 * makes or joins the network namespace (a speculative new one may exist already, see
 * main) and says "net" on the report fd: the starter then joins it too, to mount /sys. */
static void join_namespaces(int hostnet)
{
	char rec[PATH_MAX + 8], p[PATH_MAX + 16];
	read_record(rec, sizeof rec, KEY_NS "=");
	int *fds[] = {&ns_mnt, &ns_uts, &ns_ipc};
	const char *kinds[] = {"mnt", "uts", "ipc"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", rec + strlen(KEY_NS "="), kinds[i]);
		if ((*fds[i] = open(p, O_RDONLY | O_CLOEXEC)) < 0)
			report_error(CLASS_NAMESPACE, "open %s: %s", p, errstr(errno));
	}
	read_record(rec, sizeof rec, KEY_NET "=");
	const char *arg = rec + strlen(KEY_NET "=");
	/* the starter's network namespace, for the log forwarder's udp and tcp sockets:
	 * the shim is still in it unless a spare made a new one ahead (hostnet) */
	host_netns = hostnet >= 0 ? fcntl(hostnet, F_DUPFD_CLOEXEC, 0) : open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!strcmp(arg, VALUE_NET_NEW)) {
		if (hostnet < 0 && unshare(CLONE_NEWNET) != 0) /* else made already */
			report_error(CLASS_NAMESPACE, "new network namespace: %s", errstr(errno));
	} else if (!strcmp(arg, VALUE_NET_HOST)) {
		if (hostnet >= 0 && setns(hostnet, CLONE_NEWNET) != 0)
			report_error(CLASS_NAMESPACE, "return to the host's network namespace: %s", errstr(errno));
	} else {
		int fd = open(arg, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			report_error(CLASS_NAMESPACE, "open netns \"%s\": %s", arg, errstr(errno));
		if (setns(fd, CLONE_NEWNET) != 0)
			report_error(CLASS_NAMESPACE, "join netns \"%s\": %s", arg, errstr(errno));
		close(fd);
	}
	if (hostnet >= 0)
		close(hostnet);
	dprintf(REPORT_FD, "net\n");
}

/* enter_pid_namespace reads the pidns= record: "new" (PID 1 gets a pid namespace of
 * its own), "host" (it stays in the shim's, the host's) or the path of another
 * container's to join. It returns the clone flag for PID 1 and, for a path, leaves the
 * shim's children bound for that namespace; *own is then the shim's own one, which
 * leave_pid_namespace returns to once PID 1 is born, so that the shim's later children
 * (the exit hook) never land in a namespace whose init may be gone. */
static int enter_pid_namespace(int *own)
{
	char rec[PATH_MAX + 8];
	read_record(rec, sizeof rec, KEY_PIDNS "=");
	const char *arg = rec + strlen(KEY_PIDNS "=");
	*own = -1;
	if (!strcmp(arg, VALUE_NET_NEW))
		return CLONE_NEWPID;
	if (!strcmp(arg, VALUE_NET_HOST))
		return 0;
	*own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	int fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (*own < 0 || fd < 0)
		report_error(CLASS_NAMESPACE, "open pid namespace \"%s\": %s", arg, errstr(errno));
	if (setns(fd, CLONE_NEWPID) != 0)
		report_error(CLASS_NAMESPACE, "join pid namespace \"%s\": %s", arg, errstr(errno));
	close(fd);
	return 0;
}

/* leave_pid_namespace makes the shim's next children born in its own pid namespace
 * again (see enter_pid_namespace). */
static void leave_pid_namespace(int own)
{
	if (own < 0)
		return;
	if (setns(own, CLONE_NEWPID) != 0)
		report_error(CLASS_NAMESPACE, "return to the shim's pid namespace: %s", errstr(errno));
	close(own);
}

/* kill_cgroup sends SIGKILL to every process left in the container's cgroups (each
 * cgroup.procs of the configuration), until none is: what the kernel does when the init
 * of a pid namespace of its own exits, done for a container that shares one
 * (containerd's kill-all on its init's exit). A few rounds catch those forked meanwhile. */
static void kill_cgroup(void)
{
	for (int round = 0; round < 20; round++) {
		int found = 0;
		for (int i = 0; i < cfg.nprocs; i++) {
			FILE *f = fopen(cfg.procs[i], "re");
			if (!f)
				continue;
			int p;
			while (fscanf(f, "%d", &p) == 1)
				if (p > 0 && kill(p, SIGKILL) == 0)
					found = 1;
			fclose(f);
		}
		if (!found)
			return;
		usleep(1000);
	}
}

/* The starter's network namespace, opened first thing: the exit hook runs there, not in
 * the container's, which the shim joins. */
static int starter_net = -1;

/* listening reports whether something accepts connections on the unix socket path. */
static int listening(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof a.sun_path)
		return 0;
	strcpy(a.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0;
	if (s >= 0)
		close(s);
	return ok;
}

/* run_exit_hook starts the exit hook (hook= records: a path and its arguments; hookenv=
 * its environment), once the exit is recorded, unless something listens on hooksock=,
 * detached (own session, stdio /dev/null, no other fd) in the starter's network
 * namespace; the shim does not wait for it. berth uses it to learn of an exit while
 * none of its processes runs: the project's supervisor, which applies restart
 * policies, may have been killed. */
static void run_exit_hook(void)
{
	if (cfg.nhook == 0 || starter_net < 0 || (cfg.hooksock && listening(cfg.hooksock)))
		return;
	if (fork() != 0)
		return; /* the shim exits next: init (or a subreaper) reaps the hook */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (setns(starter_net, CLONE_NEWNET) != 0 || setsid() < 0)
		_exit(127);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	execve(cfg.hook[0], cfg.hook, cfg.hookenv);
	_exit(127);
}

/* join_cgroups writes pid into each cgroup.procs of the configuration; on failure it
 * returns that file, with errno set. */
static const char *join_cgroups(pid_t pid)
{
	char s[32];
	int n = snprintf(s, sizeof s, "%d", (int)pid);
	for (int i = 0; i < cfg.nprocs; i++) {
		int fd = open(cfg.procs[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, s, (size_t)n) != n) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			errno = e;
			return cfg.procs[i];
		}
		close(fd);
	}
	return NULL;
}

/* set_oom_score_adj writes the configured oom_score_adj of pid (which its children
 * inherit), before it runs the command; it returns 0 on failure, with errno set. */
static int set_oom_score_adj(pid_t pid)
{
	if (!cfg.oomscoreadj)
		return 1;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int)pid);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	size_t n = strlen(cfg.oomscoreadj);
	int ok = write(fd, cfg.oomscoreadj, n) == (ssize_t)n;
	int e = errno;
	close(fd);
	errno = e;
	return ok;
}

/* ---- exec ---- */

/* lookup is exec.LookPath with the container's PATH, inside its root. */
static const char *lookup(const char *name)
{
	static char buf[PATH_MAX];
	if (strchr(name, '/'))
		return name;
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (int i = 0; i < cfg.envc; i++)
		if (!strncmp(cfg.envp[i], "PATH=", 5))
			path = cfg.envp[i] + 5;
	for (const char *d = path;; d++) {
		const char *end = strchr(d, ':');
		size_t n = end ? (size_t)(end - d) : strlen(d);
		snprintf(buf, sizeof buf, "%.*s/%s", (int)(n ? n : 1), n ? d : ".", name);
		struct stat st;
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			if (buf[0] != '/')
				FAIL(CLASS_EXEC, "exec: \"%s\": cannot run executable found relative to current directory", name);
			return buf;
		}
		if (!end)
			break;
		d = end;
	}
	FAIL(CLASS_EXEC, "exec: \"%s\": executable file not found in $PATH", name);
	return NULL;
}

/* exec_main is `berth-shim exec`: it enters the namespaces and root of the container's
 * PID 1 (cfg.target), forks (the pid namespace takes effect for children), and the
 * child takes the container's privileges and execs the command. The shim exits with
 * the command's status (128+signal when killed). It joins the container's cgroups
 * first, so every process of the exec is born there. Errors before the execve go to
 * fd 4 (O_CLOEXEC); stdio is what Engine.Exec made (pipes, /dev/null or a pty slave of
 * its own, never a file of berth's caller) and every other fd is closed at the execve. */
static int exec_main(void)
{
	errfd = REPORT_FD;
	report_prefix = "";
	check_protocol();
	if (!parse_config() || cfg.target <= 0 || !cfg.cwd || cfg.argc == 0)
		FAIL(CLASS_PROTO, "shim exec: incomplete configuration");
	/* Not dumpable until the command's execve (as runc's init): a container process
	 * must not open /proc/<child>/fd/N (the error pipe to berth) meanwhile. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		FAIL(CLASS_IDENTITY, "set not dumpable: %s", errstr(errno));
	/* Into the container's cgroups first: every process of the exec is born there. */
	const char *failed = join_cgroups(getpid());
	if (failed)
		FAIL(CLASS_CGROUP, "join cgroup %s: %s", failed, errstr(errno));
	if (!set_oom_score_adj(getpid()))
		FAIL(CLASS_IDENTITY, "set oom_score_adj %s: %s", cfg.oomscoreadj, errstr(errno));
	static const char *kinds[] = {"ipc", "uts", "net", "pid", "mnt", "cgroup"};
	static const int types[] = {CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWCGROUP};
	int nkinds = cfg.cgroupns ? 6 : 5, fds[6], root;
	char p[64];
	for (int i = 0; i < nkinds; i++) {
		snprintf(p, sizeof p, "/proc/%d/ns/%s", cfg.target, kinds[i]);
		if ((fds[i] = open(p, O_RDONLY | O_CLOEXEC)) < 0)
			FAIL(CLASS_NAMESPACE, "open %s: %s", p, errstr(errno));
	}
	snprintf(p, sizeof p, "/proc/%d/root", cfg.target);
	if ((root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		FAIL(CLASS_NAMESPACE, "open %s: %s", p, errstr(errno));
	for (int i = 0; i < nkinds; i++) {
		if (setns(fds[i], types[i]) != 0)
			FAIL(CLASS_NAMESPACE, "join the container's %s namespace: %s", kinds[i], errstr(errno));
		close(fds[i]);
	}
	if (fchdir(root) != 0 || chroot(".") != 0 || chdir("/") != 0)
		FAIL(CLASS_NAMESPACE, "enter the container's root: %s", errstr(errno));
	close(root);
	pid_t child = fork();
	if (child < 0)
		FAIL(CLASS_PROCESS, "fork: %s", errstr(errno));
	if (child == 0) {
		if (setsid() < 0)
			FAIL(CLASS_PROCESS, "new session: %s", errstr(errno));
		if (cfg.tty && ioctl(0, TIOCSCTTY, 0) != 0)
			FAIL(CLASS_STDIO, "set controlling terminal: %s", errstr(errno));
		set_identity();
		const char *path = lookup(cfg.argv[0]);
		if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
			FAIL(CLASS_PROCESS, "close fds: %s", errstr(errno));
		if (cfg.nnp)
			load_seccomp();
		execve(path, cfg.argv, cfg.envp);
		FAIL(CLASS_EXEC, "exec \"%s\": %s", path, errstr(errno));
	}
	close(errfd);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return 255;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	/* The starter leaves fds 0-2 closed: fill them, so that no pipe or pty lands there
	 * (dup2 onto the same fd would keep its close-on-exec flag). */
	int null;
	while ((null = open("/dev/null", O_RDWR)) >= 0 && null <= 2)
		;
	if (null > 2)
		close(null);
	/* Only fds 0-4 are the starter's: another it inherited without close-on-exec
	 * (Go's fork keeps those) is none of a container's business. */
	if (syscall(SYS_close_range, 5, ~0U, 0) != 0)
		return 125;
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && !strcmp(argv[1], VALUE_EXEC_MODE))
		return exec_main();
	/* The first record, written with the fork: pre=netns for a spare shim made ahead
	 * of time, which makes a network namespace now, while nobody waits, in case the
	 * container wants a new one. */
	starter_net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	check_protocol();
	char pre[32];
	read_record(pre, sizeof pre, KEY_PRE "=");
	int hostnet = -1;
	if (!strcmp(pre, KEY_PRE "=" VALUE_PRE_NETNS)) {
		hostnet = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (hostnet < 0 || unshare(CLONE_NEWNET) != 0)
			report_error(CLASS_NAMESPACE, "new network namespace: %s", errstr(errno));
	}
	join_namespaces(hostnet);
	int ownpid;
	int pidflag = enter_pid_namespace(&ownpid);
	/* What PID 1 needs before it is born, so that it is born now, while the starter
	 * still builds the rootfs: its stdio and stdin (io=pipes|tty[+stdin]) and the
	 * container dir (dir=). */
	char iorec[32], dir[PATH_MAX + 8];
	read_record(iorec, sizeof iorec, KEY_IO "=");
	read_record(dir, sizeof dir, KEY_DIR "=");
	const char *iomode = iorec + strlen(KEY_IO "=");
	cfg.tty = !strncmp(iomode, VALUE_IO_TTY, strlen(VALUE_IO_TTY));
	cfg.openstdin = strstr(iomode, VALUE_IO_STDIN) != NULL;
	cfg.dir = dir + strlen(KEY_DIR "=");
	dirfd_ = open(cfg.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_ < 0)
		report_error(CLASS_STATE, "container dir: %s", errstr(errno));
	int ln = cfg.openstdin ? listen_stdin() : -1;

	struct stdio io = {-1, -1, -1, -1};
	struct stream *outs[2] = {NULL, NULL};
	int nouts = 0, stdin_w = -1, master = -1;
	int ptysock[2] = {-1, -1};
	if (cfg.tty) { /* PID 1 opens the pty in its root and sends the master here */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ptysock) != 0)
			report_error(CLASS_STDIO, "pty socket: %s", errstr(errno));
		ptyfd = ptysock[1];
		outs[nouts] = calloc(1, sizeof(struct stream));
		outs[nouts]->fd = -1;
		outs[nouts++]->name = "stdout";
	} else {
		int o[2], e[2];
		if (pipe2(o, O_CLOEXEC) != 0 || pipe2(e, O_CLOEXEC) != 0)
			report_error(CLASS_STDIO, "output pipes: %s", errstr(errno));
		io.out = o[1], io.err = e[1];
		outs[nouts] = calloc(1, sizeof(struct stream));
		outs[nouts]->fd = o[0];
		outs[nouts++]->name = "stdout";
		outs[nouts] = calloc(1, sizeof(struct stream));
		outs[nouts]->fd = e[0];
		outs[nouts++]->name = "stderr";
		if (cfg.openstdin) {
			int in[2];
			if (pipe2(in, O_CLOEXEC) != 0)
				report_error(CLASS_STDIO, "stdin pipe: %s", errstr(errno));
			io.in = in[0], stdin_w = in[1];
		}
	}
	int syncp[2], errp[2], relay[2];
	if (pipe2(syncp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0 || pipe2(relay, O_CLOEXEC) != 0)
		report_error(CLASS_PROCESS, "pipes: %s", errstr(errno));

	pid_t pid = (pid_t)syscall(SYS_clone, pidflag | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		report_error(CLASS_PROCESS, "clone container init: %s", errstr(errno));
	if (pid == 0) {
		if (ownpid >= 0)
			close(ownpid);
		close(CONFIG_FD);
		close(REPORT_FD);
		close(syncp[1]);
		close(errp[0]);
		close(relay[1]);
		close(starter_net); /* the host's netns: never in the container, even as berth's init */
		if (ptysock[0] >= 0)
			close(ptysock[0]);
		errfd = errp[1];
		for (int i = 0; i < nouts; i++)
			if (outs[i]->fd != master)
				close(outs[i]->fd);
		if (master >= 0)
			close(master);
		if (stdin_w >= 0)
			close(stdin_w);
		if (ln >= 0)
			close(ln);
		signal(SIGPIPE, SIG_DFL);
		container_main(syncp[0], relay[0], io);
	}
	leave_pid_namespace(ownpid);
	close(syncp[0]);
	close(errp[1]);
	close(relay[0]);
	if (io.slave >= 0)
		close(io.slave);
	if (io.out >= 0)
		close(io.out), close(io.err);
	if (io.in >= 0)
		close(io.in);

	/* The rest of the configuration, once the starter has built the rootfs; PID 1,
	 * born already, gets its own copy. */
	if (!parse_config()) { /* the starter gave up */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (ln >= 0)
			unlinkat(dirfd_, "stdin.sock", 0);
		return 0;
	}
	if (!cfg.id || !cfg.rootfs || !cfg.path || !cfg.cwd || cfg.argc == 0)
		report_error(CLASS_PROTO, "shim: incomplete configuration");
	writeall(relay[1], raw_config, raw_len);
	close(relay[1]);
	if (cfg.tty) { /* -1 when PID 1 failed first: its error follows on errp */
		close(ptysock[1]);
		master = outs[0]->fd = recv_fd(ptysock[0]);
		close(ptysock[0]);
	}
	/* PID 1 builds its root while the shim puts it in the cgroups (one write per v1
	 * hierarchy); it waits for a byte before its execve. */
	int err = 0;
	const char *failed_class = CLASS_CGROUP, *failed_step = "join cgroup ";
	const char *failed = join_cgroups(pid);
	if (failed)
		err = errno;
	else if (!set_oom_score_adj(pid))
		failed_class = CLASS_IDENTITY, failed_step = "",
		failed = "set oom_score_adj (lowering it needs CAP_SYS_RESOURCE)", err = errno;
	if (!failed && write(syncp[1], "x", 1) != 1)
		failed_class = CLASS_PROCESS, failed_step = "", failed = "release container init", err = errno;
	close(syncp[1]);
	if (failed)
		kill(pid, SIGKILL);
	/* PID 1's own error, if it failed first, says more than ours. */
	size_t mlen;
	char *msg = readall(errp[0], &mlen, NULL, 0);
	close(errp[0]);
	if (cfg.tty && master < 0 && !failed)
		failed_class = CLASS_STDIO, failed_step = "", failed = "receive the container's pty", err = EPIPE;
	if (mlen > 0 || failed) {
		waitpid(pid, NULL, 0);
		if (mlen > 0) { /* "<class> <message>" (failfd) */
			dprintf(REPORT_FD, "%s%.*s\n", report_prefix, (int)mlen, msg);
			exit(1);
		}
		report_error(failed_class, "%s%s: %s", failed_step, failed, errstr(err));
	}
	free(msg);
	struct timespec started;
	clock_gettime(CLOCK_REALTIME, &started);
	const char *failed_state = write_state("running", pid, 0, 0, 0, &started, NULL);
	if (failed_state) { /* nothing would know the container runs: it does not */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		report_error(CLASS_STATE, "%s", failed_state);
	}
	dprintf(REPORT_FD, "ok %d\n", (int)pid);
	close(REPORT_FD);
	close(ns_mnt), close(ns_uts), close(ns_ipc);

	log_open();
	int handout = cfg.tty ? master : stdin_w;
	int open_outs = nouts;
	/* Without a pid namespace of its own, what PID 1 leaves (holding the output open)
	 * is killed when it exits: its pidfd says when. */
	int exitfd = pidflag ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);
	while (open_outs > 0) {
		struct pollfd pf[4];
		int np = 0;
		for (int i = 0; i < nouts; i++)
			if (outs[i]->fd >= 0)
				pf[np++] = (struct pollfd){outs[i]->fd, POLLIN, 0};
		if (ln >= 0)
			pf[np++] = (struct pollfd){ln, POLLIN, 0};
		if (exitfd >= 0)
			pf[np++] = (struct pollfd){exitfd, POLLIN, 0};
		if (poll(pf, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int k = 0; k < np; k++) {
			if (!pf[k].revents)
				continue;
			if (pf[k].fd == exitfd) {
				kill_cgroup();
				close(exitfd);
				exitfd = -1;
				continue;
			}
			if (pf[k].fd == ln) {
				if (hand_stdin(ln, handout)) {
					close(ln);
					unlinkat(dirfd_, "stdin.sock", 0);
					ln = -1;
					if (!cfg.tty) {
						close(stdin_w); /* the client's close is the container's EOF */
						stdin_w = -1;
					}
				}
				continue;
			}
			for (int i = 0; i < nouts; i++) {
				if (outs[i]->fd != pf[k].fd)
					continue;
				if (!stream_read(outs[i])) {
					close(outs[i]->fd);
					outs[i]->fd = -1;
					open_outs--;
				}
			}
		}
	}
	if (exitfd >= 0)
		close(exitfd);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!pidflag) /* PID 1 closed its output and exited first: its children may remain */
		kill_cgroup();
	struct timespec finished;
	clock_gettime(CLOCK_REALTIME, &finished);
	int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	int oom = oom_killed();
	if (oom && code == 0)
		code = 137;
	failed_state = write_state("exited", pid, code, sig, oom, &started, &finished);
	if (failed_state)
		report_late(failed_state); /* state.json still says running: readers see the exit
					    * by the monitor's and PID 1's absence */
	if (ln >= 0) { /* after the state: a client refused from now on reads "exited" */
		close(ln);
		unlinkat(dirfd_, "stdin.sock", 0);
	}
	run_exit_hook();
	return failed_state ? 1 : 0;
}
