// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading a record file. Every length is checked against what is left before it is used,
 * so a cut or corrupted file stops the reading at the last good chunk, never past it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "record/record.h"

static __u32 rd32(const unsigned char *p)
{
	return p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 | (__u32)p[3] << 24;
}

static void *push(void *arr, size_t *n, size_t size)
{
	char *p = realloc(arr, (*n + 1) * size);

	if (!p)
		return NULL;
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

static int add_kv(struct mt_recfile *rf, const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len);
	struct mt_rec_kv *kv;
	size_t klen = sp ? (size_t)(sp - line) : len;

	if (!klen)
		return 0;
	kv = push(rf->kv, &rf->nr_kv, sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	rf->kv = kv;
	kv = &rf->kv[rf->nr_kv - 1];
	kv->key = strndup(line, klen);
	kv->value = sp ? strndup(sp + 1, len - klen - 1) : strdup("");
	return kv->key && kv->value ? 0 : -ENOMEM;
}

static int parse_header(struct mt_recfile *rf, const char *p, size_t len)
{
	while (len) {
		const char *nl = memchr(p, '\n', len);
		size_t l = nl ? (size_t)(nl - p) : len;
		int err = add_kv(rf, p, l);

		if (err)
			return err;
		if (!nl)
			break;
		len -= l + 1;
		p = nl + 1;
	}
	return 0;
}

/* A length-prefixed name; advances *p and *len. NULL if malformed or out of memory. */
static char *take_name(const char **p, size_t *len)
{
	__u32 n;
	char *s;

	if (*len < 4)
		return NULL;
	n = rd32((const unsigned char *)*p);
	if (n == 0 || n > 256 || n > *len - 4)
		return NULL;
	s = strndup(*p + 4, n);
	if (!s || strlen(s) != n) {
		free(s);
		return NULL;
	}
	*p += 4 + n;
	*len -= 4 + n;
	return s;
}

/* SECTION and FILE chunks: a name, then bytes. */
static int parse_named(struct mt_rec_section **arr, size_t *nr, const char *p, size_t len)
{
	struct mt_rec_section *s;
	char *name = take_name(&p, &len);

	if (!name)
		return -EINVAL;
	s = push(*arr, nr, sizeof(*s));
	if (!s) {
		free(name);
		return -ENOMEM;
	}
	*arr = s;
	s = &s[*nr - 1];
	s->name = name;
	s->data = p;
	s->size = len;
	return 0;
}

static const struct mt_rec_map *sort_map;

static int cmp_key(const void *a, const void *b)
{
	size_t ks = sort_map->h.key_size;
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;
	int c = memcmp(sort_map->keys + x * ks, sort_map->keys + y * ks, ks);

	/* equal keys (only in a corrupt file): the first one wins, deterministically */
	return c ? c : (x > y) - (x < y);
}

static int parse_map(struct mt_recfile *rf, const char *p, size_t len)
{
	struct mt_rec_map m = {}, *arr;
	__u32 f[7];
	__u64 per;

	m.name = take_name(&p, &len);
	if (!m.name)
		return -EINVAL;
	if (len < sizeof(f))
		goto bad;
	for (int i = 0; i < 7; i++)
		f[i] = rd32((const unsigned char *)p + (size_t)4 * i);
	p += sizeof(f);
	len -= sizeof(f);
	m.h = (struct mt_rec_map_hdr){ f[0], f[1], f[2], f[3], f[4], f[5], f[6] };
	/* the kernel's limits are far below these: anything beyond is corruption */
	if (!m.h.key_size || m.h.key_size > 65536 || m.h.value_size > (1U << 24) ||
	    m.h.stride < m.h.value_size || m.h.stride > (1U << 24) || !m.h.nr_slots ||
	    m.h.nr_slots > 65536)
		goto bad;
	per = m.h.key_size + (__u64)m.h.nr_slots * m.h.stride;
	if ((__u64)m.h.nr_entries * per != len)
		goto bad;
	m.keys = p;
	m.vals = p + (size_t)m.h.nr_entries * m.h.key_size;
	m.sorted = malloc(((size_t)m.h.nr_entries + 1) * sizeof(__u32));
	if (!m.sorted)
		goto oom;
	for (__u32 i = 0; i < m.h.nr_entries; i++)
		m.sorted[i] = i;
	sort_map = &m;
	qsort(m.sorted, m.h.nr_entries, sizeof(__u32), cmp_key);
	sort_map = NULL;
	arr = push(rf->maps, &rf->nr_maps, sizeof(*arr));
	if (!arr)
		goto oom;
	rf->maps = arr;
	rf->maps[rf->nr_maps - 1] = m;
	return 0;
bad:
	free(m.name);
	return -EINVAL;
oom:
	free(m.sorted);
	free(m.name);
	return -ENOMEM;
}

static int chunk(struct mt_recfile *rf, __u32 type, const char *raw, size_t len)
{
	switch (type) {
	case MT_CHUNK_HEADER:
		return parse_header(rf, raw, len);
	case MT_CHUNK_KALLSYMS:
		rf->kallsyms = (char *)raw; /* the payload has a NUL after it */
		rf->kallsyms_len = len;
		return 0;
	case MT_CHUNK_SECTION:
		return parse_named(&rf->sections, &rf->nr_sections, raw, len);
	case MT_CHUNK_FILE:
		return parse_named(&rf->files, &rf->nr_files, raw, len);
	case MT_CHUNK_MAP:
		return parse_map(rf, raw, len);
	case MT_CHUNK_TIMELINE:
		rf->timeline = raw; /* parsed by whoever wants it: a bad one costs only itself */
		rf->timeline_len = len;
		return 0;
	default:
		return 0; /* a chunk type of a later minor version: skipped */
	}
}

static void stop(struct mt_recfile *rf, const char *what, size_t off)
{
	rf->truncated = true;
	snprintf(rf->why, sizeof(rf->why), "%s at byte %zu, after %u complete chunks", what, off,
		 rf->chunks);
}

int mt_rec_parse(const void *data, size_t len, struct mt_recfile *rf)
{
	const unsigned char *d = data;
	size_t off = MT_REC_FILE_HDR;

	memset(rf, 0, sizeof(*rf));
	if (len < MT_REC_FILE_HDR || memcmp(d, MT_REC_MAGIC, 8) != 0) {
		snprintf(rf->why, sizeof(rf->why), "not a memtrace recording");
		return -EINVAL;
	}
	rf->major = d[8] | d[9] << 8;
	rf->minor = d[10] | d[11] << 8;
	if (rf->major > MT_REC_MAJOR) {
		snprintf(rf->why, sizeof(rf->why),
			 "recorded in format %u.%u, newer than this memtrace reads (%u.x): "
			 "report it with a newer memtrace",
			 rf->major, rf->minor, (unsigned int)MT_REC_MAJOR);
		return -EPROTONOSUPPORT;
	}
	if (rf->major == 0) {
		snprintf(rf->why, sizeof(rf->why), "not a memtrace recording (format 0.%u)",
			 rf->minor);
		return -EINVAL;
	}
	for (;;) {
		const unsigned char *h = d + off;
		__u32 type, raw_len, comp_len;
		uLongf out_len;
		char *raw, **pl;
		int err;

		if (off == len) {
			stop(rf, "no END chunk: cut short", off);
			return 0;
		}
		if (len - off < MT_REC_CHUNK_HDR) {
			stop(rf, "cut inside a chunk header", off);
			return 0;
		}
		type = rd32(h);
		raw_len = rd32(h + 8);
		comp_len = rd32(h + 12);
		if (comp_len > len - off - MT_REC_CHUNK_HDR) {
			stop(rf, "cut inside a chunk", off);
			return 0;
		}
		if ((crc32(crc32(0, h, 16), h + MT_REC_CHUNK_HDR, comp_len) & 0xffffffffU) !=
		    rd32(h + 16)) {
			stop(rf, "corrupt chunk (CRC mismatch)", off);
			return 0;
		}
		/* zlib cannot expand more than about 1032:1; a larger claim is corrupt */
		if (raw_len > MT_REC_MAX_RAW || raw_len > (__u64)comp_len * 1032 + 64) {
			stop(rf, "corrupt chunk (impossible length)", off);
			return 0;
		}
		raw = malloc((size_t)raw_len + 1);
		pl = raw ? realloc(rf->payloads, (rf->nr_payloads + 1) * sizeof(*pl)) : NULL;
		if (!pl) {
			free(raw);
			mt_rec_free(rf);
			snprintf(rf->why, sizeof(rf->why), "out of memory");
			return -ENOMEM;
		}
		rf->payloads = pl;
		pl[rf->nr_payloads++] = raw;
		out_len = raw_len;
		if (uncompress((Bytef *)raw, &out_len, h + MT_REC_CHUNK_HDR, comp_len) != Z_OK ||
		    out_len != raw_len) {
			stop(rf, "corrupt chunk (bad compressed data)", off);
			return 0;
		}
		raw[raw_len] = '\0';
		if (type == MT_CHUNK_END) {
			rf->chunks++;
			return 0;
		}
		err = chunk(rf, type, raw, raw_len);
		if (err == -ENOMEM) {
			mt_rec_free(rf);
			snprintf(rf->why, sizeof(rf->why), "out of memory");
			return -ENOMEM;
		}
		if (err) {
			stop(rf, "malformed chunk", off);
			return 0;
		}
		rf->chunks++;
		off += MT_REC_CHUNK_HDR + comp_len;
	}
}

int mt_rec_load(const char *path, struct mt_recfile *rf)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, err;

	memset(rf, 0, sizeof(*rf));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -ENODEV;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0) {
			err = -errno;
			free(buf);
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	err = mt_rec_parse(buf, got, rf);
	free(buf);
	return err;
}

void mt_rec_free(struct mt_recfile *rf)
{
	for (size_t i = 0; i < rf->nr_kv; i++) {
		free(rf->kv[i].key);
		free(rf->kv[i].value);
	}
	for (size_t i = 0; i < rf->nr_maps; i++) {
		free(rf->maps[i].name);
		free(rf->maps[i].sorted);
	}
	for (size_t i = 0; i < rf->nr_sections; i++)
		free(rf->sections[i].name);
	for (size_t i = 0; i < rf->nr_files; i++)
		free(rf->files[i].name);
	free(rf->files);
	rf->files = NULL;
	rf->nr_files = 0;
	for (size_t i = 0; i < rf->nr_payloads; i++)
		free(rf->payloads[i]);
	free(rf->kv);
	free(rf->maps);
	free(rf->sections);
	free(rf->payloads);
	rf->kv = NULL;
	rf->maps = NULL;
	rf->sections = NULL;
	rf->payloads = NULL;
	rf->kallsyms = NULL;
	rf->nr_kv = rf->nr_maps = rf->nr_sections = rf->nr_payloads = 0;
}

const char *mt_rec_get(const struct mt_recfile *rf, const char *key)
{
	for (size_t i = rf->nr_kv; i-- > 0;)
		if (!strcmp(rf->kv[i].key, key))
			return rf->kv[i].value;
	return NULL;
}

/* The last chunk of a name wins, like the header's keys. */
const struct mt_rec_map *mt_rec_find_map(const struct mt_recfile *rf, const char *name)
{
	for (size_t i = rf->nr_maps; i-- > 0;)
		if (!strcmp(rf->maps[i].name, name))
			return &rf->maps[i];
	return NULL;
}

const struct mt_rec_section *mt_rec_find_file(const struct mt_recfile *rf, const char *path)
{
	for (size_t i = rf->nr_files; i-- > 0;)
		if (!strcmp(rf->files[i].name, path))
			return &rf->files[i];
	return NULL;
}

const struct mt_rec_section *mt_rec_find_section(const struct mt_recfile *rf, const char *name)
{
	for (size_t i = rf->nr_sections; i-- > 0;)
		if (!strcmp(rf->sections[i].name, name))
			return &rf->sections[i];
	return NULL;
}
