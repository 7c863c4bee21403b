// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --pprof: the report's allocations as a gzip'd profile.proto (github.com/google/pprof,
 * proto/profile.proto), shaped as a Go heap profile so that go tool pprof, Pyroscope and
 * Parca read it as one: sample types alloc_objects, alloc_space, inuse_objects, inuse_space,
 * inuse_space the default. A sample is a row of the model's stack table (--stacks), or
 * without stacks a row of the call-site table as a one-frame stack, so the numbers are the
 * ones the text and JSON reports show, never derived again here.
 *
 * Frames are kallsyms names; each kernel module is a Mapping, vmlinux is [kernel.kallsyms].
 * A raw kernel address goes out only with --raw-addresses (render_addr.c says why).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "render/render.h"
#include "sys/kallsyms.h"

#if MT_PPROF
#include <profile.pb-c.h>
#include "sys/gzip.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_vtype;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;

/*
 * The allocators' own frames, and everything they call: pprof drops them from every sample
 * (Profile.drop_frames), so a sample's leaf is the function that asked for the memory, the
 * call site, as in a Go heap profile (whose runtime.mallocgc frames never show). The frames
 * stay in the file.
 */
static const char drop_frames[] =
	"kmem_cache_alloc.*|__kmalloc.*|kmalloc_trace.*|kmalloc_node_trace.*|kmalloc_large.*|"
	"__do_kmalloc.*|krealloc.*|__kvmalloc.*|kvmalloc.*|kvrealloc.*|kmemdup.*|kstrdup.*|"
	"kstrndup.*|slab_alloc.*|__slab_alloc.*|___slab_alloc.*|__alloc_pages.*|"
	"__alloc_frozen_pages.*|alloc_pages.*|alloc_frozen_pages.*|__folio_alloc.*|"
	"folio_alloc.*|vma_alloc_folio.*|__get_free_pages.*|get_free_pages.*|get_zeroed_page.*|"
	"__vmalloc.*|vmalloc.*|vzalloc.*|__get_vm_area.*|alloc_vmap_area.*|pcpu_alloc.*|"
	"__alloc_percpu.*";

/* Pseudo frames (never a kernel address: those are in the upper half or past PAGE_OFFSET,
 * and these sit in the last page) for what has no frame of its own. */
#define IP_NOT_RECORDED (~0ULL)
#define IP_NO_SITE(kind) (~0ULL - 1 - (__u64)(kind))

/* Open addressing, linear probing; slot value 0 is empty, else index + 1. */
struct tab {
	__u64 *key;
	__u32 *val;
	size_t cap, nr;
};

struct fn {
	pb_function f;
	__u32 map; /* index into maps */
};

struct loc {
	pb_location l;
	pb_line line;
	pb_line *linep;
};

struct smp {
	pb_sample s;
	int64_t v[4];
	pb_label lab[2];
	pb_label *labp[2];
	uint64_t *loc;
};

struct map {
	pb_mapping m;
	__u64 lo, hi; /* raw addresses seen, for --raw-addresses */
};

struct prof {
	const struct mt_report *r;
	const struct mt_render_opts *o;
	char **str;
	size_t nr_str, cap_str;
	struct tab str_tab, fn_tab, loc_tab;
	struct fn *fn;
	size_t nr_fn, cap_fn;
	struct loc *loc;
	size_t nr_loc, cap_loc;
	struct smp *smp;
	size_t nr_smp, cap_smp;
	struct map *map;
	size_t nr_map, cap_map;
	bool oom;
};

static bool grow(void **p, size_t *cap, size_t nr, size_t size)
{
	size_t n = *cap ? 2 * *cap : 64;
	void *q;

	if (nr < *cap)
		return true;
	q = realloc(*p, n * size);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static __u64 mix(__u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static __u64 str_hash(const char *s)
{
	__u64 h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The slot of key: where it is, or the empty one where it goes. eq NULL: keys compare. */
static size_t tab_slot(const struct tab *t, __u64 key, const struct prof *p, const char *s)
{
	size_t i = mix(key) & (t->cap - 1);

	for (;; i = (i + 1) & (t->cap - 1)) {
		if (!t->val[i])
			return i;
		if (t->key[i] == key && (!s || !strcmp(p->str[t->val[i] - 1], s)))
			return i;
	}
}

static bool tab_grow(struct tab *t, const struct prof *p)
{
	struct tab n = { .cap = t->cap ? 2 * t->cap : 1024 };

	if (2 * (t->nr + 1) <= t->cap)
		return true;
	n.key = calloc(n.cap, sizeof(*n.key));
	n.val = calloc(n.cap, sizeof(*n.val));
	if (!n.key || !n.val) {
		free(n.key);
		free(n.val);
		return false;
	}
	for (size_t i = 0; i < t->cap; i++) {
		/* keys are unique already: place by key alone */
		size_t j;

		if (!t->val[i])
			continue;
		j = tab_slot(&n, t->key[i], p, NULL);
		n.key[j] = t->key[i];
		n.val[j] = t->val[i];
	}
	n.nr = t->nr;
	free(t->key);
	free(t->val);
	*t = n;
	return true;
}

static void tab_free(struct tab *t)
{
	free(t->key);
	free(t->val);
}

/* The string table index of s, added if new; 0 ("") on allocation failure (p->oom set). */
static int64_t str_id(struct prof *p, const char *s)
{
	__u64 h = str_hash(s);
	size_t i;
	char *d;

	if (!*s || p->oom)
		return 0;
	if (!tab_grow(&p->str_tab, p) ||
	    !grow((void **)&p->str, &p->cap_str, p->nr_str, sizeof(*p->str)))
		goto oom;
	i = tab_slot(&p->str_tab, h, p, s);
	if (p->str_tab.val[i])
		return p->str_tab.val[i] - 1;
	d = strdup(s);
	if (!d)
		goto oom;
	p->str[p->nr_str] = d;
	p->str_tab.key[i] = h;
	p->str_tab.val[i] = (__u32)++p->nr_str;
	p->str_tab.nr++;
	return (int64_t)p->nr_str - 1;
oom:
	p->oom = true;
	return 0;
}

static __u32 map_id(struct prof *p, const char *module)
{
	char name[80];
	int64_t s;

	snprintf(name, sizeof(name), "[%s]", module ? module : "kernel.kallsyms");
	s = str_id(p, name);
	for (size_t i = 0; i < p->nr_map; i++)
		if (p->map[i].m.filename == s)
			return (__u32)i;
	if (p->oom || !grow((void **)&p->map, &p->cap_map, p->nr_map, sizeof(*p->map))) {
		p->oom = true;
		return 0;
	}
	perftools__profiles__mapping__init(&p->map[p->nr_map].m);
	p->map[p->nr_map].m.id = p->nr_map + 1;
	p->map[p->nr_map].m.filename = s;
	p->map[p->nr_map].m.has_functions = true;
	p->map[p->nr_map].lo = ~0ULL;
	p->map[p->nr_map].hi = 0;
	return (__u32)p->nr_map++;
}

static __u64 fn_id(struct prof *p, const char *name, __u32 map)
{
	int64_t s = str_id(p, name);
	__u64 key = (__u64)s << 24 | map;
	size_t i;
	pb_function *f;

	if (p->oom || !tab_grow(&p->fn_tab, p) ||
	    !grow((void **)&p->fn, &p->cap_fn, p->nr_fn, sizeof(*p->fn))) {
		p->oom = true;
		return 0;
	}
	i = tab_slot(&p->fn_tab, key, p, NULL);
	if (p->fn_tab.val[i])
		return p->fn_tab.val[i];
	f = &p->fn[p->nr_fn].f;
	perftools__profiles__function__init(f);
	f->id = p->nr_fn + 1;
	f->name = s;
	f->system_name = s;
	p->fn[p->nr_fn].map = map;
	p->fn_tab.key[i] = key;
	p->fn_tab.val[i] = (__u32)++p->nr_fn;
	p->fn_tab.nr++;
	return f->id;
}

/* The location of a frame (or of a pseudo frame, named): its id, 0 on allocation failure. */
static __u64 loc_id(struct prof *p, __u64 ip, const char *pseudo)
{
	const struct mt_ksyms *ks = p->r->pair.ksyms;
	const struct mt_ksym *sym = NULL;
	char buf[192];
	const char *name = pseudo;
	struct loc *l;
	__u32 map;
	size_t i;

	if (p->oom || !tab_grow(&p->loc_tab, p) ||
	    !grow((void **)&p->loc, &p->cap_loc, p->nr_loc, sizeof(*p->loc))) {
		p->oom = true;
		return 0;
	}
	i = tab_slot(&p->loc_tab, ip, p, NULL);
	if (p->loc_tab.val[i])
		return p->loc_tab.val[i];
	if (!pseudo && ks)
		sym = mt_ksyms_find(ks, ip);
	if (sym)
		name = sym->name;
	else if (!pseudo)
		name = mt_render_sym(p->o, ks, ip, false, buf, sizeof(buf));
	map = map_id(p, sym ? sym->module : NULL);
	l = &p->loc[p->nr_loc];
	perftools__profiles__location__init(&l->l);
	perftools__profiles__line__init(&l->line);
	l->line.function_id = fn_id(p, name, map);
	if (p->oom)
		return 0;
	l->l.id = p->nr_loc + 1;
	l->l.mapping_id = p->map[map].m.id;
	if (p->o->raw_addresses && !pseudo) {
		l->l.address = ip;
		if (ip < p->map[map].lo)
			p->map[map].lo = ip;
		if (ip >= p->map[map].hi)
			p->map[map].hi = ip + 1;
	}
	p->loc_tab.key[i] = ip;
	p->loc_tab.val[i] = (__u32)++p->nr_loc;
	p->loc_tab.nr++;
	return l->l.id;
}

/* One sample: n locations leaf first, the row's four values, its class and allocator. */
static struct smp *add_sample(struct prof *p, int kind, __u64 allocs, __u64 bytes, __u64 out_count,
			      __u64 out_bytes, size_t n)
{
	struct smp *s;

	if (p->oom || !grow((void **)&p->smp, &p->cap_smp, p->nr_smp, sizeof(*p->smp))) {
		p->oom = true;
		return NULL;
	}
	s = &p->smp[p->nr_smp];
	memset(s, 0, sizeof(*s));
	perftools__profiles__sample__init(&s->s);
	s->loc = calloc(n ? n : 1, sizeof(*s->loc));
	if (!s->loc) {
		p->oom = true;
		return NULL;
	}
	p->nr_smp++;
	s->s.n_location_id = n;
	s->v[0] = (int64_t)allocs;
	s->v[1] = (int64_t)bytes;
	s->v[2] = (int64_t)out_count;
	s->v[3] = (int64_t)out_bytes;
	for (int i = 0; i < 2; i++)
		perftools__profiles__label__init(&s->lab[i]);
	s->lab[0].key = str_id(p, "class");
	s->lab[0].str = str_id(p, mt_class_key(mt_pair_kind_class(kind)));
	s->lab[1].key = str_id(p, "allocator");
	s->lab[1].str = str_id(p, mt_pair_kind_key(kind));
	return p->oom ? NULL : s;
}

/* The stack table's rows, as the folded and JSON renderers walk them. */
static void add_stacks(struct prof *p)
{
	const struct mt_pair_report *pr = &p->r->pair;

	for (size_t i = 0; i < pr->nr_stacks && !p->oom; i++) {
		const struct mt_stack_row *row = &pr->stacks[i];
		__u32 first = row->frames ? mt_pair_first_frame(pr, row->frames, row->nr_frames) :
					    0;
		bool none = row->stack_id < 0 || !row->frames || first >= row->nr_frames;
		size_t n = none ? 1 : row->nr_frames - first;
		struct smp *s;

		if (!row->allocs && !row->bytes && !row->out_count && !row->out_bytes)
			continue;
		s = add_sample(p, row->cls, row->allocs, row->bytes, row->out_count, row->out_bytes,
			       n);
		if (!s)
			return;
		if (none)
			s->loc[0] = loc_id(p, IP_NOT_RECORDED, "[stack not recorded]");
		for (size_t j = 0; !none && j < n; j++)
			s->loc[j] = loc_id(p, row->frames[first + j], NULL);
	}
}

/* Without stacks: each call site a one-frame sample; a kind without call sites one frame of
 * its own ("[pages]"). */
static void add_sites(struct prof *p)
{
	const struct mt_pair_report *pr = &p->r->pair;
	char name[64];

	for (size_t i = 0; i < pr->nr_sites && !p->oom; i++) {
		const struct mt_site_row *row = &pr->sites[i];
		struct smp *s;

		if (!row->allocs && !row->bytes_alloc && !row->out_count && !row->out_bytes)
			continue;
		s = add_sample(p, row->cls, row->allocs, row->bytes_alloc, row->out_count,
			       row->out_bytes, 1);
		if (!s)
			return;
		snprintf(name, sizeof(name), "[%s]", mt_pair_kind_key(row->cls));
		s->loc[0] = row->call_site ? loc_id(p, row->call_site, NULL) :
					     loc_id(p, IP_NO_SITE(row->cls), name);
	}
}

static void free_prof(struct prof *p)
{
	for (size_t i = 0; i < p->nr_str; i++)
		free(p->str[i]);
	for (size_t i = 0; i < p->nr_smp; i++)
		free(p->smp[i].loc);
	free(p->str);
	free(p->fn);
	free(p->loc);
	free(p->smp);
	free(p->map);
	tab_free(&p->str_tab);
	tab_free(&p->fn_tab);
	tab_free(&p->loc_tab);
}

/* gzip'd: pprof reads gzip (it also takes plain), and profiles compress tenfold */
static int gzip_out(FILE *f, const uint8_t *buf, size_t len)
{
	unsigned char *gz;
	size_t n;
	int err = mt_gzip(buf, len, 6, &gz, &n);

	if (!err && fwrite(gz, 1, n, f) != n)
		err = -1;
	free(gz);
	return err || ferror(f) ? -1 : 0;
}

/* n pointers to messages: every object pointer has the size of void * (POSIX) */
static void *ptrs(size_t n)
{
	return calloc(n + 1, sizeof(void *));
}

/* Point the profile at the builder's arrays, now that they no longer move. */
static int pack(FILE *f, struct prof *p, pb_profile *pf, pb_vtype *vt, pb_vtype **vtp)
{
	pb_sample **sp = ptrs(p->nr_smp);
	pb_location **lp = ptrs(p->nr_loc);
	pb_function **fp = ptrs(p->nr_fn);
	pb_mapping **mp = ptrs(p->nr_map);
	uint8_t *buf = NULL;
	size_t len;
	int ret = -1;

	if (!sp || !lp || !fp || !mp)
		goto out;
	for (size_t i = 0; i < p->nr_smp; i++) {
		struct smp *s = &p->smp[i];

		s->s.location_id = s->loc;
		s->s.n_value = 4;
		s->s.value = s->v;
		s->labp[0] = &s->lab[0];
		s->labp[1] = &s->lab[1];
		s->s.n_label = 2;
		s->s.label = s->labp;
		sp[i] = &s->s;
	}
	for (size_t i = 0; i < p->nr_loc; i++) {
		p->loc[i].linep = &p->loc[i].line;
		p->loc[i].l.n_line = 1;
		p->loc[i].l.line = &p->loc[i].linep;
		lp[i] = &p->loc[i].l;
	}
	for (size_t i = 0; i < p->nr_fn; i++)
		fp[i] = &p->fn[i].f;
	for (size_t i = 0; i < p->nr_map; i++) {
		if (p->o->raw_addresses && p->map[i].hi) {
			p->map[i].m.memory_start = p->map[i].lo;
			p->map[i].m.memory_limit = p->map[i].hi;
		}
		mp[i] = &p->map[i].m;
	}
	pf->n_sample_type = 4;
	pf->sample_type = vtp;
	pf->period_type = &vt[4];
	pf->n_sample = p->nr_smp;
	pf->sample = sp;
	pf->n_location = p->nr_loc;
	pf->location = lp;
	pf->n_function = p->nr_fn;
	pf->function = fp;
	pf->n_mapping = p->nr_map;
	pf->mapping = mp;
	pf->n_string_table = p->nr_str;
	pf->string_table = p->str;
	len = perftools__profiles__profile__get_packed_size(pf);
	buf = malloc(len ? len : 1);
	if (!buf)
		goto out;
	if (perftools__profiles__profile__pack(pf, buf) != len)
		goto out;
	ret = gzip_out(f, buf, len);
out:
	free(buf);
	free(sp);
	free(lp);
	free(fp);
	free(mp);
	return ret;
}

int mt_render_pprof(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	static const char *const types[][2] = {
		{ "alloc_objects", "count" }, { "alloc_space", "bytes" },
		{ "inuse_objects", "count" }, { "inuse_space", "bytes" },
		{ "space", "bytes" }, /* the period type */
	};
	pb_profile pf = PERFTOOLS__PROFILES__PROFILE__INIT;
	struct prof p = { .r = r, .o = o };
	pb_vtype vt[5], *vtp[4];
	int64_t comment[3];
	char line[256];
	int ret = -1;

	/* the string table starts with "" */
	if (!grow((void **)&p.str, &p.cap_str, 0, sizeof(*p.str)) || !(p.str[0] = strdup("")))
		goto out;
	p.nr_str = 1;
	for (int i = 0; i < 5; i++) {
		perftools__profiles__value_type__init(&vt[i]);
		vt[i].type = str_id(&p, types[i][0]);
		vt[i].unit = str_id(&p, types[i][1]);
		if (i < 4)
			vtp[i] = &vt[i];
	}
	pf.default_sample_type = vt[3].type;
	/* every allocation is counted, none sampled: a period of 1 byte */
	pf.period = 1;
	pf.time_nanos = (int64_t)r->run.start_wall_ns;
	pf.duration_nanos = (int64_t)(r->run.duration_s * 1e9);
	pf.drop_frames = str_id(&p, drop_frames);
	comment[0] = str_id(&p, "memtrace " MEMTRACE_VERSION);
	snprintf(line, sizeof(line), "kernel %s %s", r->run.release, r->run.arch);
	comment[1] = str_id(&p, line);
	pf.n_comment = 2;
	if (r->pair.opts.stacks && mt_pair_stack_sample(&r->pair) > 1) {
		snprintf(line, sizeof(line),
			 "--stack-sample %u: the stack of 1 allocation in %u was walked, its "
			 "values are scaled by %u (estimates)",
			 mt_pair_stack_sample(&r->pair), mt_pair_stack_sample(&r->pair),
			 mt_pair_stack_sample(&r->pair));
		comment[pf.n_comment++] = str_id(&p, line);
	}
	pf.comment = comment;
	/* [kernel.kallsyms] first: pprof takes the first mapping for the main binary */
	map_id(&p, NULL);
	if (r->pair.opts.stacks)
		add_stacks(&p);
	else if (r->pair.opts.sites)
		add_sites(&p);
	if (!p.oom)
		ret = pack(f, &p, &pf, vt, vtp);
out:
	free_prof(&p);
	return ret;
}

#else /* !MT_PPROF */

int mt_render_pprof(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	errno = ENOTSUP;
	return -1;
}

#endif
