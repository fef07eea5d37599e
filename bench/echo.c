/*
 * echo.c — the floor: the least a server can do per HTTP request on this
 * machine. One thread, epoll, keep-alive; each complete request (head, and
 * a Content-Length body when there is one) is answered with a fixed 200 of
 * the size of /twilio/voice's TwiML with one send(). No parsing beyond
 * that, no logging, no storage. bench/webhook.sh runs it with FLOOR=1 and
 * reports its CPU time per request next to hotline's.
 *
 *   cc -O2 -o echo bench/echo.c && ./echo PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_CONNS = 4096, BUF_SIZE = 65536 };

struct conn {
    size_t len;
    char buf[BUF_SIZE];
};

static struct conn *conns[MAX_CONNS];
static char response[1024];
static size_t response_len;

static void make_response(void)
{
    char body[700];

    memset(body, 'x', sizeof(body));
    response_len = (size_t)snprintf(response, sizeof(response),
                                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                                    "Content-Length: %zu\r\n\r\n%.*s",
                                    sizeof(body), (int)sizeof(body), body);
}

/* Length of the first complete request in c->buf, or 0. */
static size_t complete_request(const struct conn *c)
{
    const char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    const char *cl;
    size_t head, body = 0;

    if (!end)
        return 0;
    head = (size_t)(end - c->buf) + 4;
    cl = memmem(c->buf, head, "Content-Length:", 15);
    if (cl)
        body = strtoul(cl + 15, NULL, 10);
    return c->len >= head + body ? head + body : 0;
}

static void serve(int fd)
{
    struct conn *c = conns[fd];
    ssize_t n;
    size_t used;

    while ((n = recv(fd, c->buf + c->len, BUF_SIZE - c->len, 0)) > 0) {
        c->len += (size_t)n;
        while ((used = complete_request(c)) > 0) {
            if (send(fd, response, response_len, MSG_NOSIGNAL) < 0)
                break;
            memmove(c->buf, c->buf + used, c->len - used);
            c->len -= used;
        }
        if (c->len == BUF_SIZE)
            break;
    }
    if (n == 0 || c->len == BUF_SIZE) {
        close(fd);
        free(c);
        conns[fd] = NULL;
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr = {0};
    struct epoll_event ev, events[64];
    int one = 1, ep, lfd, i, n;

    if (argc != 2)
        return 2;
    make_response();
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)strtoul(argv[1], NULL, 10));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 512) < 0)
        return 1;
    ep = epoll_create1(0);
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        n = epoll_wait(ep, events, 64, -1);
        for (i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd != lfd) {
                serve(fd);
                continue;
            }
            while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                if (fd >= MAX_CONNS) {
                    close(fd);
                    continue;
                }
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                conns[fd] = calloc(1, sizeof(struct conn));
                ev.events = EPOLLIN | EPOLLET;
                ev.data.fd = fd;
                epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            }
        }
    }
}
