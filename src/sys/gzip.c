// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A buffer gzip'd in one go (gzip.h). */
#include <stdlib.h>
#include <zlib.h>
#include "sys/gzip.h"

int mt_gzip(const void *in, size_t len, int level, unsigned char **out, size_t *out_len)
{
	z_stream zs = {};
	unsigned char *gz;
	size_t cap;
	int err;

	*out = NULL;
	*out_len = 0;
	/* 15 + 16: a gzip wrapper (what pprof and DecompressionStream("gzip") read) */
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	cap = deflateBound(&zs, (uLong)len) + 32; /* deflateBound's plus the gzip trailer */
	gz = malloc(cap);
	if (!gz) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = gz;
	zs.avail_out = (uInt)cap;
	err = deflate(&zs, Z_FINISH) == Z_STREAM_END ? 0 : -1;
	*out_len = zs.total_out;
	deflateEnd(&zs);
	if (err) {
		free(gz);
		*out_len = 0;
		return -1;
	}
	*out = gz;
	return 0;
}
