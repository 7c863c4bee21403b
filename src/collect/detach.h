/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Detaching many BPF links at once, so that the kernel's per-link waits overlap. */
#ifndef MT_DETACH_H
#define MT_DETACH_H

#include <stddef.h>

struct bpf_link;
struct bpf_object_skeleton;

/* Destroy *links[0..n) (NULL entries skipped) on parallel threads; each is NULL after. */
void mt_links_destroy(struct bpf_link **const *links, size_t n);
/* The same for every program link of a skeleton (what <name>_bpf__detach() does). */
void mt_skel_detach(struct bpf_object_skeleton *s);

#endif
