/* cli_output: writing the output whole, to what the path really names (see
 * cli_output.h). */
#include "cli_output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_watch.h"

/* Links followed at most (as the kernel's ELOOP). */
#define MAX_LINKS 40

/* The path that path names once its symbolic links are followed, into out
 * (the last one may not exist yet: it is the file a link will create). */
static int resolve(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
    if (strlen(path) >= outlen) {
        snprintf(err, errlen, "the path is too long");
        return -1;
    }
    snprintf(out, outlen, "%s", path);
    for (int hops = 0; hops <= MAX_LINKS; hops++) {
        struct stat st;
        if (lstat(out, &st) != 0 || !S_ISLNK(st.st_mode))
            return 0;
        char link[PATH_MAX];
        ssize_t n = readlink(out, link, sizeof link - 1);
        if (n < 0) {
            snprintf(err, errlen, "%s", strerror(errno));
            return -1;
        }
        link[n] = 0;
        char next[PATH_MAX];
        const char *slash = strrchr(out, '/');
        int w = link[0] == '/' || slash == NULL
                    ? snprintf(next, sizeof next, "%s", link)
                    : snprintf(next, sizeof next, "%.*s/%s", (int)(slash - out), out, link);
        if (w < 0 || (size_t)w >= sizeof next || (size_t)w >= outlen) {
            snprintf(err, errlen, "the path its links lead to is too long");
            return -1;
        }
        memcpy(out, next, (size_t)w + 1);
    }
    snprintf(err, errlen, "%s", strerror(ELOOP));
    return -1;
}

static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Whether the file at path is the one st describes. */
static int same_file(const char *path, const struct stat *st)
{
    struct stat in;
    return stat(path, &in) == 0 && in.st_dev == st->st_dev && in.st_ino == st->st_ino;
}

/* A new file beside target (a short name: any name the directory takes
 * leaves room for it), written whole, then renamed over target. `old` is
 * the file it replaces (NULL: none), whose mode and owner it keeps. */
static int replace(const char *target, const struct stat *old, const char *text, size_t len, char *err,
                   size_t errlen)
{
    char tmp[PATH_MAX + 32];
    const char *slash = strrchr(target, '/');
    int w = slash ? snprintf(tmp, sizeof tmp, "%.*s/.funnelcast-XXXXXX", (int)(slash - target), target)
                  : snprintf(tmp, sizeof tmp, ".funnelcast-XXXXXX");
    if (w < 0 || (size_t)w >= sizeof tmp) {
        snprintf(err, errlen, "the path is too long");
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    fc_watch_temp(tmp);
    mode_t mode;
    if (old) {
        mode = old->st_mode & 07777;
        if (fchown(fd, old->st_uid, old->st_gid) != 0) {
            /* only the owner's own id is possible: the mode still holds */
        }
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    int ok = fchmod(fd, mode) == 0 && write_all(fd, text, len) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        snprintf(err, errlen, "%s", strerror(saved ? saved : errno));
        unlink(tmp);
        fc_watch_temp(NULL);
        return -1;
    }
    if (fc_watch_commit_begin() != 0) {
        unlink(tmp);
        fc_watch_temp(NULL);
        return -2;
    }
    int st = rename(tmp, target);
    saved = errno;
    if (st != 0)
        unlink(tmp);
    fc_watch_commit_end();
    if (st != 0) {
        snprintf(err, errlen, "%s", strerror(saved));
        return -1;
    }
    return 0;
}

int fc_output_write(const char *path, const char *text, size_t len, const char *const *inputs,
                    int ninputs, char *err, size_t errlen)
{
    char target[PATH_MAX];
    if (resolve(path, target, sizeof target, err, errlen) != 0)
        return -1;
    struct stat st;
    if (stat(target, &st) != 0) {
        if (errno != ENOENT) {
            snprintf(err, errlen, "%s", strerror(errno));
            return -1;
        }
        return replace(target, NULL, text, len, err, errlen);
    }
    for (int i = 0; i < ninputs; i++)
        if (inputs[i] && same_file(inputs[i], &st)) {
            snprintf(err, errlen, "it is the input file %s (give another output file)", inputs[i]);
            return -1;
        }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s", strerror(EISDIR));
        return -1;
    }
    if (S_ISREG(st.st_mode))
        return replace(target, &st, text, len, err, errlen);
    /* a device, a pipe or a socket: written through, as a shell would */
    int fd = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    int ok = write_all(fd, text, len) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        snprintf(err, errlen, "%s", strerror(saved ? saved : errno));
        return -1;
    }
    return 0;
}
