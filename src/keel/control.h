/* control: PID 1's end of the keelctl socket — non-blocking, bounded, root only. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CONTROL_H
#define KEEL_CONTROL_H

#include <stdint.h>

/*
 * Protocol (text, one request per connection):
 *   request:  one line "VERB [ARG]...\n", at most CONTROL_MAX_REQUEST bytes
 *   response: zero or more data lines, then "OK[ text]\n" or "ERR text\n",
 *             then the server closes the connection.
 * Data lines are tab-separated fields, the first naming the record:
 *   svc  NAME STATE PID UPTIME_MS RESTARTS LAST_EXIT TYPE TARGET DESCRIPTION REASON
 *   diag LEVEL LOCATION MESSAGE
 *   name NAME           (for `list`)
 * A client that sends garbage, too much, or nothing for CONTROL_IDLE_MS is
 * answered with ERR where possible and dropped; PID 1 never waits on it.
 */
#define CONTROL_MAX_REQUEST 4096
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_IDLE_MS 5000

int control_open(const char *path, const char *share_dir);
void control_accept(void);
void control_client_event(int fd, uint32_t events);
/* Close the socket and every client, and remove the socket file: at the
 * end, so the file system holding it can be unmounted. */
void control_close(void);
/* Drop idle clients; returns the next deadline (monotonic ms) or 0. */
uint64_t control_timer(void);

#endif
