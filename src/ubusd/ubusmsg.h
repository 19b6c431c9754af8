/* ubusmsg.h: ubus's message format (a header and a blob of attributes): numbers, checked parsing, building. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_UBUSMSG_H
#define KEEL_UBUSMSG_H

#include <stdint.h>

#include "blob.h"

/* On the wire: version (0), type, seq (big-endian 16), peer (big-endian 32),
 * then one blob attribute (id 0) holding the message's attributes. */
enum { UBUS_HDR = 8, UBUS_MAX_MSGLEN = 1048576 };

enum { UBUS_OBJ_EVENT = 1, UBUS_SYSTEM_OBJECT_MAX = 1024 };

enum ubus_type {
	UBUS_MSG_HELLO,
	UBUS_MSG_STATUS,
	UBUS_MSG_DATA,
	UBUS_MSG_PING,
	UBUS_MSG_LOOKUP,
	UBUS_MSG_INVOKE,
	UBUS_MSG_ADD_OBJECT,
	UBUS_MSG_REMOVE_OBJECT,
	UBUS_MSG_SUBSCRIBE,
	UBUS_MSG_UNSUBSCRIBE,
	UBUS_MSG_NOTIFY,
	UBUS_MSG_MONITOR,
	UBUS_MSG_LAST,
};

enum ubus_attr {
	UBUS_ATTR_UNSPEC,
	UBUS_ATTR_STATUS,
	UBUS_ATTR_OBJPATH,
	UBUS_ATTR_OBJID,
	UBUS_ATTR_METHOD,
	UBUS_ATTR_OBJTYPE,
	UBUS_ATTR_SIGNATURE,
	UBUS_ATTR_DATA,
	UBUS_ATTR_TARGET,
	UBUS_ATTR_ACTIVE,
	UBUS_ATTR_NO_REPLY,
	UBUS_ATTR_SUBSCRIBERS,
	UBUS_ATTR_USER,
	UBUS_ATTR_GROUP,
	UBUS_ATTR_MAX,
};

enum ubus_status {
	UBUS_STATUS_OK,
	UBUS_STATUS_INVALID_COMMAND,
	UBUS_STATUS_INVALID_ARGUMENT,
	UBUS_STATUS_METHOD_NOT_FOUND,
	UBUS_STATUS_NOT_FOUND,
	UBUS_STATUS_NO_DATA,
	UBUS_STATUS_PERMISSION_DENIED,
	UBUS_STATUS_TIMEOUT,
	UBUS_STATUS_NOT_SUPPORTED,
	UBUS_STATUS_UNKNOWN_ERROR,
	UBUS_STATUS_CONNECTION_FAILED,
	UBUS_STATUS_NO_MEMORY,
	UBUS_STATUS_PARSE_ERROR,
	UBUS_STATUS_SYSTEM_ERROR,
};

struct ubus_hdr {
	uint8_t version, type;
	uint16_t seq;
	uint32_t peer;
};

/* The length of the whole message whose first 12 bytes are at p (header and
 * the blob's header): 0 when the blob's length is below its header's. */
size_t ubus_msg_len(const uint8_t *p);
/* Parses a whole message of len bytes: the header into *h and the attributes
 * into tb (NULL when absent). Each known attribute must have its type's size,
 * strings their NUL, DATA must be a valid blobmsg list and SIGNATURE a list of
 * named blobmsg tables. 0, or -1 when anything is wrong. */
int ubus_msg_parse(const uint8_t *msg, size_t len, struct ubus_hdr *h, const uint8_t *tb[UBUS_ATTR_MAX]);

/* Building: the header and an open top blob; ubus_msg_end closes it (-1 when
 * the message came out too long or memory ran out). */
void ubus_msg_begin(struct buf *m, unsigned type, uint16_t seq, uint32_t peer);
int ubus_msg_end(struct buf *m);

#endif
