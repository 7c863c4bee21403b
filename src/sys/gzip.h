/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A buffer gzip'd in one go (zlib): the --pprof profile and the --html page's data. */
#ifndef MT_GZIP_H
#define MT_GZIP_H

#include <stddef.h>

/* in[0..len) as one gzip member at zlib level `level` into a malloc'ed *out; 0 or -1. */
int mt_gzip(const void *in, size_t len, int level, unsigned char **out, size_t *out_len);

#endif /* MT_GZIP_H */
