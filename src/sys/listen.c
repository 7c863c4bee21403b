// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "sys/listen.h"
#include "sys/util.h"

int mt_listen_open(const char *spec)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *colon = strrchr(spec, ':');
	char addr[64] = "127.0.0.1";
	unsigned int port;
	int fd, one = 1, err;

	if (colon) {
		size_t n = (size_t)(colon - spec);

		if (n >= sizeof(addr))
			return -EINVAL;
		if (n) {
			memcpy(addr, spec, n);
			addr[n] = '\0';
		}
		spec = colon + 1;
	}
	if (mt_parse_u32(spec, &port) || port == 0 || port > 65535 ||
	    inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -EINVAL;
	sa.sin_port = htons((unsigned short)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static void reply(int c, const char *status, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, len);

	if (send(c, head, n, MSG_NOSIGNAL) == n)
		while (len) {
			ssize_t w = send(c, body, len, MSG_NOSIGNAL);

			if (w <= 0)
				break; /* gone, or the 1 s send timeout: drop it */
			body += w;
			len -= (size_t)w;
		}
}

/* The request line, read within about a second; we never need more than 2 KiB of it. */
static void serve_one(int c, const char *body, size_t len)
{
	struct timeval tv = { 1, 0 };
	char req[2048] = "";
	size_t got = 0;

	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < sizeof(req) - 1 && !memchr(req, '\n', got)) {
		struct pollfd p = { .fd = c, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 1000) <= 0)
			return;
		r = recv(c, req + got, sizeof(req) - 1 - got, 0);
		if (r <= 0)
			return;
		got += (size_t)r;
	}
	req[got] = '\0';
	if (strncmp(req, "GET /metrics ", 13) != 0 && strncmp(req, "GET /metrics\r", 13) != 0)
		reply(c, "404 Not Found", "not found: try /metrics\n", 24);
	else if (!body)
		reply(c, "503 Service Unavailable", "no interval yet\n", 16);
	else
		reply(c, "200 OK", body, len);
}

void mt_listen_serve(int fd, const char *body, size_t len)
{
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0)
			return; /* EAGAIN: nothing pending */
		serve_one(c, body, len);
		close(c);
	}
}
