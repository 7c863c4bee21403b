/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The record file (docs/record-format.md): a file header, then chunks, each with its own
 * length and CRC and a zlib-compressed payload, ended by an END chunk. A file cut short
 * keeps every complete chunk before the cut; the reader says it was truncated. Plain C and
 * zlib, no libbpf: the reader is fuzzed and runs on machines without BPF.
 */
#ifndef MT_RECORD_H
#define MT_RECORD_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MT_REC_MAGIC "MEMTRACE"	  /* 8 bytes, no NUL */
#define MT_REC_MAJOR 1		  /* a reader refuses a file of a newer major version */
#define MT_REC_MINOR 1		  /* additions a reader of the same major may ignore */
#define MT_REC_FILE_HDR 16	  /* magic, __le16 major, __le16 minor, __le32 flags */
#define MT_REC_CHUNK_HDR 20	  /* type, flags, raw_len, comp_len, crc32: __le32 each */
#define MT_REC_MAX_RAW (1U << 30) /* no chunk inflates beyond 1 GiB */

enum mt_chunk_type {
	MT_CHUNK_HEADER = 1,   /* "key value" text lines: machine, options, run facts */
	MT_CHUNK_KALLSYMS = 2, /* /proc/kallsyms text as read at record time */
	MT_CHUNK_SECTION = 3,  /* a global data section: name, bytes */
	MT_CHUNK_MAP = 4,      /* a BPF map: description and every entry */
	MT_CHUNK_END = 5,      /* empty: the recording is complete */
	MT_CHUNK_FILE = 6,     /* a text file as read at record time: path, contents */
	MT_CHUNK_TIMELINE = 7, /* 1.1: the timeline's points, text (record_timeline.c) */
};

/* ---- writing ---- */

struct mt_rec_writer {
	FILE *f;
	int err; /* first error (-errno), sticky: later writes do nothing */
	unsigned int chunks;
};

/* Writes the file header to f (opened by the caller). */
int mt_rec_begin(struct mt_rec_writer *w, FILE *f);
/* One chunk: compresses raw and appends it. 0 or -errno (also kept in w->err). */
int mt_rec_chunk(struct mt_rec_writer *w, __u32 type, const void *raw, size_t len);
/* The END chunk and a flush; the caller fsyncs and closes. */
int mt_rec_end(struct mt_rec_writer *w);

/* A growable buffer to build a chunk's payload in. */
struct mt_buf {
	char *p;
	size_t len, cap;
	bool oom;
};
void mt_buf_put(struct mt_buf *b, const void *data, size_t len);
void mt_buf_u32(struct mt_buf *b, __u32 v);
void mt_buf_printf(struct mt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mt_buf_free(struct mt_buf *b);

/* Payload of a MAP chunk: name, description, then nr entries (key, nr_slots*stride bytes). */
struct mt_rec_map_hdr {
	__u32 type, key_size, value_size, max_entries, nr_slots, stride, nr_entries;
};
void mt_rec_map_begin(struct mt_buf *b, const char *name, const struct mt_rec_map_hdr *h);

/* ---- reading ---- */

struct mt_rec_map {
	char *name;
	struct mt_rec_map_hdr h;
	const char *keys; /* nr_entries keys, key_size apart, in the kernel's order */
	const char *vals; /* nr_entries values, nr_slots * stride apart */
	__u32 *sorted;	  /* entry indexes sorted by key, for lookups */
};

struct mt_rec_section {
	char *name;
	const char *data;
	size_t size;
};

struct mt_rec_kv {
	char *key, *value;
};

struct mt_recfile {
	__u16 major, minor;
	bool truncated; /* no END chunk: cut short or corrupt; why says where */
	char why[160];
	unsigned int chunks;  /* complete chunks read */
	struct mt_rec_kv *kv; /* HEADER lines, in file order (a later key overrides) */
	size_t nr_kv;
	struct mt_rec_map *maps;
	size_t nr_maps;
	struct mt_rec_section *sections;
	size_t nr_sections;
	struct mt_rec_section *files; /* FILE chunks: name is the path (/proc/zoneinfo) */
	size_t nr_files;
	char *kallsyms; /* NUL-terminated, or NULL */
	size_t kallsyms_len;
	const char *timeline; /* the TIMELINE chunk's payload, or NULL */
	size_t timeline_len;
	char **payloads; /* inflated chunk payloads the above point into */
	size_t nr_payloads;
};

/*
 * Parse a whole file image. 0: rf is usable (check rf->truncated); -EINVAL: not a memtrace
 * recording; -EPROTONOSUPPORT: newer major version (rf->major/minor say which); -ENOMEM.
 * On error rf->why says what is wrong in words, and rf holds nothing to free.
 */
int mt_rec_parse(const void *data, size_t len, struct mt_recfile *rf);
/* Read and parse path; also -errno for I/O, -EISDIR, -ENODEV (not a regular file). */
int mt_rec_load(const char *path, struct mt_recfile *rf);
void mt_rec_free(struct mt_recfile *rf);

const char *mt_rec_get(const struct mt_recfile *rf, const char *key); /* last value or NULL */
const struct mt_rec_map *mt_rec_find_map(const struct mt_recfile *rf, const char *name);
const struct mt_rec_section *mt_rec_find_section(const struct mt_recfile *rf, const char *name);
/* A FILE chunk's contents (NUL-terminated) by path, e.g. "/proc/zoneinfo"; NULL if absent. */
const struct mt_rec_section *mt_rec_find_file(const struct mt_recfile *rf, const char *path);

#endif /* MT_RECORD_H */
