/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * log2 bucketing, the one definition used by the BPF programs and by user space, so unit
 * tests and the kernel agree on every bucket edge. Slot 0 holds 0 and 1; slot i (i >= 1)
 * holds [2^i, 2^(i+1) - 1], the layout libbpf-tools' print_log2_hist users know.
 * Branch-only (no loop) so the verifier sees a constant cost.
 */
#ifndef MT_HIST_H
#define MT_HIST_H

#include "memtrace.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

static __always_inline __u32 mt_log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5;
	v >>= shift;
	r |= shift;
	shift = (v > 0xffff) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (__u32)(v >> 1);
	return r;
}

/*
 * mt_log2_u64() for v < 2^32, with no comparison: (C - v) >> 63 is 1 exactly when v > C
 * (v, C < 2^63). The BPF backend turns each comparison above into a branch, and in a
 * bounded loop the verifier follows every branch of every iteration with the slot as an
 * exact value: the 128-iteration scatterlist loop of bpf/dma.bpf.c, histogramming each
 * segment, made that program cost 808,000 verified instructions (0.7 s) with
 * mt_log2_u64() and 38,000 (30 ms) with this (6.18).
 */
static __always_inline __u32 mt_log2_u32_flat(__u64 v)
{
	__u64 r, shift;

	shift = ((0xffffULL - v) >> 63) << 4;
	v >>= shift;
	r = shift;
	shift = ((0xffULL - v) >> 63) << 3;
	v >>= shift;
	r |= shift;
	shift = ((0xfULL - v) >> 63) << 2;
	v >>= shift;
	r |= shift;
	shift = ((0x3ULL - v) >> 63) << 1;
	v >>= shift;
	r |= shift;
	r |= v >> 1;
	return (__u32)r;
}

/* The histogram slot for value v, clamped to the last slot. */
static __always_inline __u32 mt_hist_slot(__u64 v)
{
	__u32 s = mt_log2_u64(v);

	return s < MT_HIST_SLOTS ? s : MT_HIST_SLOTS - 1;
}

/* The slot of a duration in nanoseconds, histogrammed in whole microseconds. */
static __always_inline __u32 mt_hist_slot_us(__u64 ns)
{
	return mt_hist_slot(ns / 1000);
}

/*
 * The inclusive value range a slot covers. Values past the last slot are clamped into it;
 * at 2^31 bytes or microseconds that is far beyond anything the kernel allocates or
 * stalls for, so reports print its nominal bounds.
 */
static __always_inline __u64 mt_hist_slot_low(__u32 slot)
{
	return slot == 0 ? 0 : 1ULL << slot;
}

static __always_inline __u64 mt_hist_slot_high(__u32 slot)
{
	return (1ULL << (slot + 1)) - 1;
}

#endif /* MT_HIST_H */
