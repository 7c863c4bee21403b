// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the record reader, the recorded map source and the collector never
 * crash on any file. Half of the runs fix up every chunk's CRC first, so mutations reach
 * the chunk parsers instead of stopping at the checksum. An input starting with 'R' is a
 * list of raw chunks (__u8 type, __le16 length, payload) that the writer frames and
 * compresses, so mutations reach the header, map, section and timeline parsers directly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "collect/collect.h"
#include "record/mapsrc_rec.h"
#include "record/record.h"
#include "record/record_header.h"
#include "record/record_timeline.h"
#include "render/render.h"

static __u32 rd32(const uint8_t *p)
{
	return p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 | (__u32)p[3] << 24;
}

static void fix_crcs(uint8_t *d, size_t len)
{
	size_t off = MT_REC_FILE_HDR;

	while (len - off >= MT_REC_CHUNK_HDR && off < len) {
		uint8_t *h = d + off;
		__u32 clen = rd32(h + 12);
		uLong crc;

		if (clen > len - off - MT_REC_CHUNK_HDR)
			break;
		crc = crc32(crc32(0, h, 16), h + MT_REC_CHUNK_HDR, clen);
		h[16] = crc;
		h[17] = crc >> 8;
		h[18] = crc >> 16;
		h[19] = crc >> 24;
		off += MT_REC_CHUNK_HDR + clen;
	}
}

/* 'R' inputs: frame raw chunks with the real writer. */
static uint8_t *from_raw(const uint8_t *data, size_t size, size_t *out_len)
{
	struct mt_rec_writer w;
	char *buf = NULL;
	size_t len = 0, off = 1;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	mt_rec_begin(&w, f);
	while (size - off >= 3) {
		size_t n = data[off + 1] | (size_t)data[off + 2] << 8;
		__u32 type = data[off];

		off += 3;
		if (n > size - off)
			n = size - off;
		mt_rec_chunk(&w, type, data + off, n);
		off += n;
	}
	if (size & 1)
		mt_rec_end(&w);
	fclose(f);
	*out_len = len;
	return (uint8_t *)buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct mt_render_opts ro = { .top = 5 };
	struct mt_recfile rf;
	struct mt_mapsrc src;
	struct mt_report r;
	uint8_t *copy;

	if (!null)
		null = fopen("/dev/null", "w");
	if (size && data[0] == 'R') {
		copy = from_raw(data, size, &size);
		if (!copy)
			return 0;
	} else {
		copy = malloc(size ? size : 1);
		if (!copy)
			return 0;
		memcpy(copy, data, size);
	}
	if (size > MT_REC_FILE_HDR && (copy[size - 1] & 1))
		fix_crcs(copy, size);
	if (mt_rec_parse(copy, size, &rf) == 0) {
		if (rf.truncated && !rf.why[0])
			abort(); /* a truncated file always says why */
		mt_report_init(&r);
		if (mt_rec_header_get(&rf, &r) == 0) {
			mt_mapsrc_rec_init(&src, &rf);
			/* the TIMELINE chunk's text reader, then its points in the JSON */
			if (rf.timeline)
				mt_rec_timeline_parse(rf.timeline, rf.timeline_len, &r.tl);
			if (mt_collect(&src, &r) == 0) {
				mt_render_text(null, &r, &ro);
				mt_render_json(null, &r, &ro);
				mt_render_openmetrics(null, &r, &ro);
			}
		}
		mt_report_free(&r);
		mt_rec_free(&rf);
	}
	free(copy);
	return 0;
}
