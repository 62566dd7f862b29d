// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: growable byte buffers.  A buffer is one output unit (a
 * whole access unit or IVF frame), written with a single write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ks.h"

int ks_buf_reserve(struct ks_buf *b, size_t extra)
{
	size_t cap;
	uint8_t *n;

	if (extra > SIZE_MAX - b->len)
		return -EOVERFLOW;
	if (b->len + extra <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra) {
		if (cap > SIZE_MAX / 2)
			return -EOVERFLOW;
		cap *= 2;
	}
	n = realloc(b->data, cap);
	if (!n)
		return -ENOMEM;
	b->data = n;
	b->cap = cap;
	return 0;
}

int ks_buf_append(struct ks_buf *b, const void *data, size_t len)
{
	int ret;

	if (!len)
		return 0;
	ret = ks_buf_reserve(b, len);
	if (ret)
		return ret;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

void ks_buf_reset(struct ks_buf *b)
{
	b->len = 0;
}

void ks_buf_free(struct ks_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
