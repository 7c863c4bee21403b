/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A minimal /metrics endpoint for `top --listen`: one thread, one connection at a time,
 * bounded reads and writes with timeouts, IPv4, loopback unless told otherwise. It
 * serves the text top last rendered and nothing else.
 */
#ifndef MT_LISTEN_H
#define MT_LISTEN_H

#include <stddef.h>

/* "[ADDR:]PORT" -> a listening, non-blocking socket. fd, or -errno; -EINVAL: bad spec. */
int mt_listen_open(const char *spec);
/* Answer every pending connection: GET /metrics gets body (503 while body is NULL),
 * anything else 404. Never blocks longer than about a second per connection. */
void mt_listen_serve(int fd, const char *body, size_t len);

#endif /* MT_LISTEN_H */
