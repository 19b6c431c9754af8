/* dgram: one datagram and its sender's pid, for PID 1's datagram sockets (/dev/log, NOTIFY_SOCKET). */
/* SPDX-License-Identifier: MIT */
#include "dgram.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

ssize_t dgram_recv(int fd, void *buf, size_t len, pid_t *pid, bool *cut)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
				     .msg_controllen = sizeof ctl.b };
		ssize_t r = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		*pid = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred u;
				memcpy(&u, CMSG_DATA(c), sizeof u);
				*pid = u.pid;
			}
		*cut = (mh.msg_flags & MSG_TRUNC) != 0;
		return r;
	}
}
