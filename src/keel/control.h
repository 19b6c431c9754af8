/* control: PID 1's end of the keelctl socket — non-blocking, bounded memory per client, root gets through. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CONTROL_H
#define KEEL_CONTROL_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Protocol (text, one request per connection; docs/keelctl.md):
 *   request:  one line "VERB [ARG]...\n", at most CONTROL_MAX_REQUEST bytes
 *   response: zero or more data lines, then "OK[ text]\n" or "ERR text\n",
 *             then the server closes the connection (`events`: event lines
 *             until keel ends the subscription).
 * Data lines are tab-separated fields, the first naming the record:
 *   svc  NAME STATE PID UPTIME_MS RESTARTS LAST_EXIT TYPE TARGET DESCRIPTION
 *        REASON STATUS EXIT_CODE SIGNAL WANTED STARTED READY STOPPED EXITED
 *   wait NAME DEPENDENCY|CONDITION MS   (status NAME)
 *   diag LEVEL LOCATION MESSAGE
 *   name NAME                     (list)
 *   boot KEEL_START NOW_MONO NOW_WALL PROTOCOL, time NAME STATE TYPE TARGET
 *        WANTED STARTED READY STOPPED EXITED DEPS   (times)
 *   version PROTOCOL KEEL_VERSION
 * A client that sends garbage, too much, or no complete request within
 * CONTROL_REQUEST_MS is answered with ERR where possible and dropped; PID 1
 * never waits on it.
 */
#define CONTROL_PROTOCOL 2
#define CONTROL_MAX_REQUEST 4096
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_ROOT_RESERVE 4 /* slots other uids never take */
#define CONTROL_MAX_PER_UID 4  /* for uids other than 0 */
#define CONTROL_REQUEST_MS 2000 /* from accept to a complete request */
#define CONTROL_GRACE_MS 200    /* a new client's slot is not taken before */
#define CONTROL_IDLE_MS 5000    /* an answer that does not drain */
#define CONTROL_CHUNK 4096      /* answer bytes produced ahead of the socket */
#define CONTROL_PAUSE_MS 250    /* no accept after EMFILE for this long */

/* Before control_open: the socket's mode and group (-1: keep). A mode
 * wider than 0600 gives the other uids it admits read-only requests. */
void control_set_access(mode_t mode, gid_t gid);
int control_open(const char *path, const char *share_dir);
void control_accept(void);
void control_client_event(int fd, uint32_t events);
/* Close the socket, every client and subscriber, and remove the socket
 * file: at the end, so the file system holding it can be unmounted. */
void control_close(void);
/* Drop idle clients, resume accepting; returns the next deadline
 * (monotonic ms) or 0. */
uint64_t control_timer(void);

#endif
