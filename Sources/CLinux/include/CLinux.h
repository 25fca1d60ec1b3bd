#ifndef PIXELRELAY_CLINUX_H
#define PIXELRELAY_CLINUX_H
// Linux syscalls that Glibc's Swift module does not export. _GNU_SOURCE is
// defined only in shim.c: defining it here would clash with SwiftGlibc.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC.
int pr_accept4(int fd, struct sockaddr *addr, socklen_t *len);
/// fdatasync(2) / fallocate exposed uniformly.
int pr_fdatasync(int fd);
/// Names the calling thread (at most 15 bytes are kept): what top -H, ps -L and perf show.
int pr_set_thread_name(const char *name);
#endif
