/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which kernel function to hook for each allocator call slot: the first candidate this
 * kernel has. Plain C (the symbol lookup is a callback), so the choice for 6.1, 6.12 and
 * 6.18-style symbol sets is unit-tested without those kernels.
 */
#ifndef MT_ALLOCLAT_PICK_H
#define MT_ALLOCLAT_PICK_H

#include <stdbool.h>
#include "model/model_latency.h"

typedef bool (*mt_has_func_fn)(const char *name, void *ctx);

/* Candidate names of a slot, newest kernel first, NULL-terminated. */
const char *const *mt_alloclat_candidates(int slot);
/* The first candidate has() accepts, or NULL. */
const char *mt_alloclat_pick(int slot, mt_has_func_fn has, void *ctx);
/* Pick every slot into names[]; returns how many slots got a function. */
int mt_alloclat_pick_all(mt_has_func_fn has, void *ctx, const char *names[MT_CALL_SLOTS]);

#endif /* MT_ALLOCLAT_PICK_H */
