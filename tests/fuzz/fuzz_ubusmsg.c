/* fuzz_ubusmsg: any bytes as a ubus message (header, attributes, blobmsg DATA and SIGNATURE) are parsed or refused, never a fault; what parses converts to JSON and back. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "json.h"
#include "ubusmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ubus_hdr h;
	const uint8_t *tb[UBUS_ATTR_MAX];
	/* keel-ubusd frames by the blob length in the first 12 bytes */
	if (size >= UBUS_HDR + BLOB_HDR && ubus_msg_len(data) > size)
		return 0;
	if (size >= UBUS_HDR + BLOB_HDR && ubus_msg_len(data) > 0)
		size = ubus_msg_len(data);
	if (ubus_msg_parse(data, size, &h, tb) < 0)
		return 0;
	if (tb[UBUS_ATTR_DATA]) {
		struct buf js = { 0 }, back = { 0 };
		const uint8_t *d = blob_data(tb[UBUS_ATTR_DATA]);
		size_t n = blob_len(tb[UBUS_ATTR_DATA]);
		struct bm m;
		bm_find(d, n, "name", &m);
		bm_to_json(&js, d, n, true);
		const char *err;
		size_t used;
		struct jval *v = json_parse(js.p ? js.p : "{}", js.len ? js.len : 2, &used, &err);
		/* what keel-ubusd prints is JSON it reads back */
		if (!v)
			abort();
		if (bm_from_json_object(&back, v) == 0 && bm_check_list((const uint8_t *)back.p, back.len, 1) < 0)
			abort();
		json_free(v);
		buf_free(&js);
		buf_free(&back);
	}
	return 0;
}
