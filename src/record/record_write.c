// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Writing a record file: chunk framing, compression, CRC. See docs/record-format.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "record/record.h"

static void le32(unsigned char *p, __u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static int put(struct mt_rec_writer *w, const void *p, size_t n)
{
	if (w->err)
		return w->err;
	if (n && fwrite(p, 1, n, w->f) != n)
		w->err = errno ? -errno : -EIO;
	return w->err;
}

int mt_rec_begin(struct mt_rec_writer *w, FILE *f)
{
	unsigned char h[MT_REC_FILE_HDR] = {};

	memset(w, 0, sizeof(*w));
	w->f = f;
	for (int i = 0; i < 8; i++) /* the magic has no NUL in the file */
		h[i] = (unsigned char)MT_REC_MAGIC[i];
	h[8] = MT_REC_MAJOR;
	h[10] = MT_REC_MINOR;
	return put(w, h, sizeof(h));
}

int mt_rec_chunk(struct mt_rec_writer *w, __u32 type, const void *raw, size_t len)
{
	unsigned char h[MT_REC_CHUNK_HDR];
	uLongf clen;
	Bytef *c;
	uLong crc;

	if (w->err)
		return w->err;
	if (len > MT_REC_MAX_RAW)
		return w->err = -EFBIG;
	clen = compressBound(len);
	c = malloc(clen ? clen : 1);
	if (!c)
		return w->err = -ENOMEM;
	if (compress2(c, &clen, raw ? raw : (const void *)"", len, 6) != Z_OK) {
		free(c);
		return w->err = -EIO;
	}
	le32(h, type);
	le32(h + 4, 0);
	le32(h + 8, len);
	le32(h + 12, clen);
	/* the CRC covers the framing too, so a flipped length is caught, not followed */
	crc = crc32(0, h, 16);
	crc = crc32(crc, c, clen);
	le32(h + 16, crc);
	put(w, h, sizeof(h));
	put(w, c, clen);
	free(c);
	if (!w->err)
		w->chunks++;
	return w->err;
}

int mt_rec_end(struct mt_rec_writer *w)
{
	mt_rec_chunk(w, MT_CHUNK_END, NULL, 0);
	if (!w->err && fflush(w->f))
		w->err = errno ? -errno : -EIO;
	return w->err;
}

void mt_buf_put(struct mt_buf *b, const void *data, size_t len)
{
	if (b->oom)
		return;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + len)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (len) /* memcpy(p, NULL, 0) is undefined (UBSan): an empty map's values */
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

void mt_buf_u32(struct mt_buf *b, __u32 v)
{
	unsigned char p[4];

	le32(p, v);
	mt_buf_put(b, p, 4);
}

void mt_buf_printf(struct mt_buf *b, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	mt_buf_put(b, s, n);
	free(s);
}

void mt_buf_free(struct mt_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void mt_rec_map_begin(struct mt_buf *b, const char *name, const struct mt_rec_map_hdr *h)
{
	__u32 n = strlen(name);

	mt_buf_u32(b, n);
	mt_buf_put(b, name, n);
	mt_buf_u32(b, h->type);
	mt_buf_u32(b, h->key_size);
	mt_buf_u32(b, h->value_size);
	mt_buf_u32(b, h->max_entries);
	mt_buf_u32(b, h->nr_slots);
	mt_buf_u32(b, h->stride);
	mt_buf_u32(b, h->nr_entries);
}
