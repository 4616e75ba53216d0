/* cli_output: writing the output whole, to what the path really names (see
 * cli_output.h). */
/* realpath is an X/Open function in glibc's headers */
#define _XOPEN_SOURCE 700
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

/* A signal interrupts a blocked open or write (of a pipe nobody reads):
 * go on, unless it asked the command to stop. */
static int interrupted(void)
{
    return errno == EINTR && !*fc_watch_stop_flag();
}

static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && interrupted())
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
    /* the mode after the bytes: writing clears set-user-ID and set-group-ID */
    int ok = write_all(fd, text, len) == 0 && fchmod(fd, mode) == 0;
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

/* Writes to a file that is not replaced: a device, a pipe, a socket, or
 * a regular file that no path names (reached through /proc/self/fd). */
static int write_through(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
    int fd;
    do
        fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    while (fd < 0 && interrupted());
    int ok = fd >= 0 && write_all(fd, text, len) == 0;
    int saved = errno;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    if (ok)
        return 0;
    if (saved == EINTR || *fc_watch_stop_flag())
        return -2;
    snprintf(err, errlen, "%s", strerror(saved ? saved : errno));
    return -1;
}

int fc_output_write(const char *path, const char *text, size_t len, const char *const *inputs,
                    int ninputs, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT) {
            snprintf(err, errlen, "%s", strerror(errno));
            return -1;
        }
        /* nothing there yet, or a link to where a file will be made */
        char target[PATH_MAX];
        if (resolve(path, target, sizeof target, err, errlen) != 0)
            return -1;
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
    /* /dev/stdout, /dev/fd/2, /proc/self/fd/1: the command's own standard
     * output or error, written as it holds it (a `>> log` keeps appending) */
    if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0)
        for (int fd = 1; fd <= 2; fd++) {
            struct stat own;
            if (fstat(fd, &own) == 0 && own.st_dev == st.st_dev && own.st_ino == st.st_ino) {
                if (write_all(fd, text, len) == 0)
                    return 0;
                snprintf(err, errlen, "%s", strerror(errno));
                return -1;
            }
        }
    if (!S_ISREG(st.st_mode))
        return write_through(path, text, len, err, errlen); /* a shell's `> /dev/null` */
    /* a regular file: replaced where it is, the links to it kept */
    char target[PATH_MAX];
    struct stat at;
    if (realpath(path, target) == NULL || stat(target, &at) != 0 || at.st_dev != st.st_dev ||
        at.st_ino != st.st_ino)
        return write_through(path, text, len, err, errlen); /* no name leads to it */
    return replace(target, &st, text, len, err, errlen);
}

/* Removes the folder tmp and the first n of names in it. */
static void remove_folder(const char *tmp, const char *const *names, int n)
{
    char path[PATH_MAX + 160];
    for (int i = 0; i < n; i++)
        if (names[i] && snprintf(path, sizeof path, "%s/%s", tmp, names[i]) < (int)sizeof path)
            unlink(path);
    rmdir(tmp);
}

/* A name a writer may give a file of a folder: no separator, no dot first. */
static int plain_name(const char *name)
{
    return name[0] != 0 && name[0] != '.' && strchr(name, '/') == NULL && strlen(name) < 128;
}

/* Writes len bytes of text to a new file at path. */
static int write_new(const char *path, const char *text, size_t len, mode_t mode)
{
    int fd;
    do
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    while (fd < 0 && interrupted());
    int ok = fd >= 0 && write_all(fd, text, len) == 0;
    int saved = errno;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    errno = saved;
    return ok ? 0 : -1;
}

int fc_output_write_files(const char *dir, const char *const *names, const char *const *texts,
                          const size_t *lens, int n, const char *const *inputs, int ninputs, char *err,
                          size_t errlen)
{
    struct stat st;
    if (dir[0] == 0) {
        snprintf(err, errlen, "an empty path");
        return -1;
    }
    int exists = stat(dir, &st) == 0;
    if (!exists && errno != ENOENT) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    if (exists && !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "it is not a folder (this format writes one file per table; -o - writes them "
                              "to standard output as one)");
        return -1;
    }
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    if (dl + 160 >= PATH_MAX) {
        snprintf(err, errlen, "the path is too long");
        return -1;
    }
    /* every target checked before anything is written: a plain name, and,
     * in a folder that exists, no folder, device or input file in its place */
    for (int i = 0; i < n; i++) {
        if (!plain_name(names[i])) {
            snprintf(err, errlen, "a file name a writer gave is not plain: %s", names[i]);
            return -1;
        }
        char to[PATH_MAX + 160];
        snprintf(to, sizeof to, "%.*s/%s", (int)dl, dir, names[i]);
        struct stat at;
        if (exists && lstat(to, &at) == 0) {
            if (!S_ISREG(at.st_mode)) {
                snprintf(err, errlen, "%s is there and is not a regular file (nothing was written)", to);
                return -1;
            }
            for (int k = 0; k < ninputs; k++)
                if (inputs[k] && same_file(inputs[k], &at)) {
                    snprintf(err, errlen, "%s is the input file %s (nothing was written)", to, inputs[k]);
                    return -1;
                }
        }
    }
    /* every file in a new folder first: inside dir when it exists (the same
     * file system, whatever its parent allows), else beside it, to become it */
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, exists ? "%.*s/.funnelcast-XXXXXX" : "%.*s.funnelcast-XXXXXX", (int)dl, dir);
    if (mkdtemp(tmp) == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    for (int i = 0; i < n; i++) {
        if (texts[i] == NULL)
            continue;
        char path[PATH_MAX + 160];
        snprintf(path, sizeof path, "%s/%s", tmp, names[i]);
        if (write_new(path, texts[i], lens[i], 0666 & ~mask) != 0 || *fc_watch_stop_flag()) {
            int saved = errno;
            remove_folder(tmp, names, i + 1);
            if (*fc_watch_stop_flag())
                return -2;
            snprintf(err, errlen, "%s", strerror(saved));
            return -1;
        }
    }
    if (fc_watch_commit_begin() != 0) {
        remove_folder(tmp, names, n);
        return -2;
    }
    int failed = 0, saved = 0;
    if (!exists) {
        /* a new folder: it appears whole */
        if (chmod(tmp, 0777 & ~mask) != 0 || rename(tmp, dir) != 0)
            failed = 1, saved = errno;
    } else {
        /* an existing folder: each file replaced whole (renames within one
         * file system); the tables this report has not (texts[i] NULL) are
         * removed; the folder's other files stay */
        char from[PATH_MAX + 160], to[PATH_MAX + 160];
        for (int i = 0; i < n && !failed; i++) {
            snprintf(to, sizeof to, "%.*s/%s", (int)dl, dir, names[i]);
            snprintf(from, sizeof from, "%s/%s", tmp, names[i]);
            if (texts[i] ? rename(from, to) != 0 : unlink(to) != 0 && errno != ENOENT)
                failed = 1, saved = errno;
        }
    }
    if (failed || exists)
        remove_folder(tmp, names, n);
    fc_watch_commit_end();
    if (failed) {
        snprintf(err, errlen, "%s", strerror(saved));
        return -1;
    }
    return 0;
}
