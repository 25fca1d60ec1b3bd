#define _GNU_SOURCE
#include <sys/socket.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include "CLinux.h"

int pr_accept4(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int pr_fdatasync(int fd) { return fdatasync(fd); }

int pr_set_thread_name(const char *name) {
    char short_name[16];
    strncpy(short_name, name, sizeof short_name - 1);
    short_name[sizeof short_name - 1] = 0;
    return pthread_setname_np(pthread_self(), short_name);
}
