/* ctlproto: the control socket's request syntax, shared by keel and its fuzz target. */
/* SPDX-License-Identifier: MIT */
#include "ctlproto.h"

#include <string.h>

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int ctlproto_split(char *line, size_t len, char **argv, const char **err)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == '\0') {
			*err = "NUL byte in request";
			return -1;
		}
		if ((c < 0x20 && !is_blank((char)c)) || c == 0x7f) {
			*err = "control characters in request";
			return -1;
		}
	}
	line[len] = '\0';
	int argc = 0;
	for (char *p = line; *p;) {
		while (is_blank(*p))
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == CTLPROTO_MAX_ARGS) {
			*err = "too many arguments";
			return -1;
		}
		argv[argc++] = p;
		while (*p && !is_blank(*p))
			p++;
	}
	if (argc == 0) {
		*err = "empty request";
		return -1;
	}
	return argc;
}
