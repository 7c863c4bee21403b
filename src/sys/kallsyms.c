// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sys/kallsyms.h"

#define CHUNK_SIZE ((size_t)256 * 1024)

void mt_ksyms_init(struct mt_ksyms *ks)
{
	memset(ks, 0, sizeof(*ks));
}

void mt_ksyms_free(struct mt_ksyms *ks)
{
	for (size_t i = 0; i < ks->nr_chunks; i++)
		free(ks->chunks[i]);
	free(ks->chunks);
	free(ks->syms);
	mt_ksyms_init(ks);
}

/* Strings live in big chunks: /proc/kallsyms has ~200k lines, one malloc each is waste. */
static const char *store(struct mt_ksyms *ks, const char *s, size_t *used)
{
	size_t len = strlen(s) + 1;
	char **c;

	if (len > CHUNK_SIZE)
		return NULL;
	if (!ks->nr_chunks || *used + len > CHUNK_SIZE) {
		c = realloc(ks->chunks, (ks->nr_chunks + 1) * sizeof(*c));
		if (!c)
			return NULL;
		ks->chunks = c;
		c[ks->nr_chunks] = malloc(CHUNK_SIZE);
		if (!c[ks->nr_chunks])
			return NULL;
		ks->nr_chunks++;
		*used = 0;
	}
	memcpy(ks->chunks[ks->nr_chunks - 1] + *used, s, len);
	*used += len;
	return ks->chunks[ks->nr_chunks - 1] + *used - len;
}

static bool is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

/* By address, then by name, so that of several names at one address the choice is stable. */
static int cmp_sym(const void *a, const void *b)
{
	const struct mt_ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

#define WS " \t\n\v\f\r"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One line, "<hex> <type> <name>[ [<module>]]", split in place: name and module end up
 * NUL-terminated inside line (at most 255 and 127 bytes). false if malformed. By hand, not
 * sscanf: 122,000 sscanf calls were half of memtrace's end-of-run kallsyms read here, and
 * ten times that in a TCG guest.
 */
static bool split_line(char *p, unsigned long long *addr, char *type, char **name, char **mod)
{
	unsigned long long a = 0;
	int digits = 0, v;
	size_t len;

	p += strspn(p, WS);
	/* 1 to 16 hex digits: more would not fit, and "ffffffffffff81000000" is no address */
	for (; (v = hexval(*p)) >= 0; p++) {
		if (++digits > 16)
			return false;
		a = a << 4 | (unsigned long long)v;
	}
	if (!digits || !*p || !strchr(WS, *p))
		return false;
	p += strspn(p, WS);
	if (!*p)
		return false;
	*type = *p++;
	p += strspn(p, WS);
	len = strcspn(p, WS);
	if (!len)
		return false;
	*name = p;
	p += len;
	p += strspn(p, WS);
	(*name)[len < 255 ? len : 255] = '\0';
	*mod = NULL;
	if (*p == '[') {
		len = strcspn(++p, "]\n");
		if (len) {
			p[len < 127 ? len : 127] = '\0';
			*mod = p;
		}
	}
	*addr = a;
	return true;
}

int mt_ksyms_parse(struct mt_ksyms *ks, FILE *f)
{
	char line[512], *name, *mod, type;
	size_t used = 0, nonzero = 0, total = 0;
	unsigned long long addr;

	while (fgets(line, sizeof(line), f)) {
		struct mt_ksym *s;

		if (!split_line(line, &addr, &type, &name, &mod))
			continue;
		total++;
		if (!is_text(type))
			continue;
		if (!addr)
			continue; /* hidden (not root), or a placeholder */
		nonzero++;
		if (ks->n == ks->cap) {
			size_t ncap = ks->cap ? ks->cap * 2 : 4096;

			s = realloc(ks->syms, ncap * sizeof(*s));
			if (!s)
				return -ENOMEM;
			ks->syms = s;
			ks->cap = ncap;
		}
		s = &ks->syms[ks->n];
		s->addr = addr;
		s->name = store(ks, name, &used);
		s->module = mod ? store(ks, mod, &used) : NULL;
		if (!s->name || (mod && !s->module))
			return -ENOMEM;
		ks->n++;
	}
	if (ferror(f))
		return -EIO;
	ks->zero_addrs = total && !nonzero;
	if (ks->n)
		qsort(ks->syms, ks->n, sizeof(*ks->syms), cmp_sym);
	return 0;
}

int mt_ksyms_load(struct mt_ksyms *ks, const char *path)
{
	FILE *f = fopen(path, "r");
	int err;

	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOFBF, (size_t)64 * 1024); /* fewer trips through the kernel's seq_file */
	err = mt_ksyms_parse(ks, f);
	fclose(f);
	return err;
}

const struct mt_ksym *mt_ksyms_find(const struct mt_ksyms *ks, __u64 addr)
{
	size_t lo = 0, hi = ks->n;
	const struct mt_ksym *s;

	/* the last symbol at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &ks->syms[lo - 1];
	/* several names at one address: report the first in sort order */
	while (s > ks->syms && s[-1].addr == s->addr)
		s--;
	if (addr - s->addr >= MT_KSYM_MAX_OFFSET)
		return NULL;
	return s;
}

const char *mt_ksyms_fmt(const struct mt_ksyms *ks, __u64 addr, bool with_off, char *buf,
			 size_t len)
{
	const struct mt_ksym *s = ks ? mt_ksyms_find(ks, addr) : NULL;
	char off[32] = "";

	if (!s) {
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
		return buf;
	}
	if (with_off)
		snprintf(off, sizeof(off), "+0x%llx", (unsigned long long)(addr - s->addr));
	if (s->module)
		snprintf(buf, len, "%s%s [%s]", s->name, off, s->module);
	else
		snprintf(buf, len, "%s%s", s->name, off);
	return buf;
}
