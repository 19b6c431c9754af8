/* client.h: keel-ubusd -c, a one-shot ubus client for the ubus shim. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_UBUS_CLIENT_H
#define KEEL_UBUS_CLIENT_H

#include <stdbool.h>

/* argv: list [PATH] | call PATH METHOD [JSON] | send TYPE [JSON]. Prints
 * answers as one-line JSON (list: paths, or with verbose_list methods); errors as
 * "Command failed: REASON" on stderr. Returns the ubus status (2 on usage). */
int client_main(const char *sock, int timeout, bool verbose_list, int argc, char **argv);

#endif
