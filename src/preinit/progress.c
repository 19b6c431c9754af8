/* progress: boot progress on the console, as UDP broadcasts and on LEDs. */
/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "preinit.h"
#include "led.h"

static int udp_fd = -1;
static struct sockaddr_in udp_dst;
/* Lines said before the network was up, sent once it is: the first
 * steps are the ones a person at the other end most needs to see. */
static struct buf backlog;
static bool backlog_on = true;

static void udp_send(const char *line, size_t n)
{
	if (udp_fd < 0)
		return;
	/* Best effort: a lost progress datagram must never stop the boot. */
	if (sendto(udp_fd, line, n, MSG_DONTWAIT, (struct sockaddr *)&udp_dst, sizeof udp_dst) < 0)
		return;
}

static void say(const char *level, const char *fmt, va_list ap)
{
	struct buf b = { 0 };
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	buf_addf(&b, "preinit: %s%s\n", level, msg ? msg : fmt);
	free(msg);
	if (b.oom) {
		buf_free(&b);
		return;
	}
	if (write(2, b.p, b.len) < 0) {
		/* No console: the UDP copy below is all there is. */
	}
	if (udp_fd >= 0)
		udp_send(b.p, b.len);
	else if (backlog_on)
		buf_add(&backlog, b.p, b.len);
	buf_free(&b);
}

void preinit_say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

void preinit_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("error: ", fmt, ap);
	va_end(ap);
}

int preinit_progress_fd(void)
{
	return udp_fd;
}

void preinit_progress_close(void)
{
	if (udp_fd >= 0)
		close(udp_fd);
	udp_fd = -1;
	backlog_on = false;
	buf_free(&backlog);
}

/* Brings the interface up and gives it the configured address if it has
 * none: a broadcast needs a source address to leave. */
static int iface_prepare(int s, const char *iface, const char *ipaddr)
{
	struct ifreq ifr = { 0 };
	if (strlen(iface) >= sizeof ifr.ifr_name) {
		preinit_error("iface %s: name too long", iface);
		return -1;
	}
	strcpy(ifr.ifr_name, iface);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		preinit_say("no interface %s (%s): no network messages", iface, strerror(errno));
		return -1;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
			preinit_error("bringing %s up: %s", iface, strerror(errno));
			return -1;
		}
	}
	if (ioctl(s, SIOCGIFADDR, &ifr) == 0)
		return 0;
	char addr[64];
	unsigned long prefix = 24;
	snprintf(addr, sizeof addr, "%s", ipaddr ? ipaddr : "192.168.1.1/24");
	char *slash = strchr(addr, '/');
	if (slash) {
		*slash = '\0';
		prefix = strtoul(slash + 1, NULL, 10);
		if (prefix > 32)
			prefix = 24;
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		preinit_error("ipaddr %s: not an IPv4 address", addr);
		return -1;
	}
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0) {
		preinit_error("setting %s on %s: %s", addr, iface, strerror(errno));
		return -1;
	}
	sin = (struct sockaddr_in *)&ifr.ifr_netmask;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(prefix ? ~0U << (32 - prefix) : 0);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
		preinit_error("netmask on %s: %s", iface, strerror(errno));
	preinit_say("%s: address %s/%lu", iface, addr, prefix);
	return 0;
}

void preinit_progress_net(struct preinit *p)
{
	const struct preinit_conf *c = &p->conf;
	if (!c->net || !c->iface) {
		backlog_on = false;
		buf_free(&backlog);
		return;
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		preinit_error("UDP socket: %s", strerror(errno));
		return;
	}
	int one = 1;
	if (iface_prepare(s, c->iface, c->ipaddr) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, c->iface, (socklen_t)strlen(c->iface)) < 0) {
		close(s);
		backlog_on = false;
		buf_free(&backlog);
		return;
	}
	/* Bound to the port too: a "failsafe" datagram arrives on this socket. */
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->port),
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
	if (bind(s, (struct sockaddr *)&me, sizeof me) < 0)
		preinit_error("UDP bind to port %lu: %s", c->port, strerror(errno));
	udp_dst = (struct sockaddr_in){ .sin_family = AF_INET,
					.sin_port = htons((uint16_t)c->port),
					.sin_addr.s_addr = htonl(INADDR_BROADCAST) };
	udp_fd = s;
	/* One datagram per line, as they were said. */
	for (size_t i = 0; i < backlog.len;) {
		char *nl = memchr(backlog.p + i, '\n', backlog.len - i);
		size_t n = nl ? (size_t)(nl - (backlog.p + i)) + 1 : backlog.len - i;
		udp_send(backlog.p + i, n);
		i += n;
	}
	backlog_on = false;
	buf_free(&backlog);
	preinit_say("progress messages on %s, UDP port %lu", c->iface, c->port);
}

/* quiet: the first try at the boot LED, before the modules are loaded; the
 * LED driver or the timer trigger may be one of them, so a failure there
 * is expected and the step is repeated (and reported) after loading. */
void preinit_progress_led(struct preinit *p, enum preinit_phase phase, bool quiet)
{
	const char *name, *mode, *what;
	preinit_led_choose(&p->conf, phase, &name, &mode);
	if (name && preinit_led_show(PREINIT_LEDS_DIR, name, mode, &what) < 0 && !quiet)
		preinit_error("led %s: %s %s: %s", name, what ? what : "mode", mode, strerror(errno));
}
