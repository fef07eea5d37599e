/*
 * fs.c — directory creation and atomic file writes.
 */
#include "core/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/banned.h"

int fs_mkdirs(const char *path, mode_t mode, struct hl_err *err)
{
    char *copy = hl_strdup(path);
    size_t i, n = strlen(copy);
    int rc = HL_OK;

    for (i = 1; i <= n && rc == HL_OK; i++) {
        if (copy[i] != '/' && copy[i] != '\0')
            continue;
        copy[i] = '\0';
        if (mkdir(copy, mode) != 0 && errno != EEXIST)
            rc = hl_err_set(err, HL_EIO, "cannot create directory %s: %s", copy, strerror(errno));
        copy[i] = i < n ? '/' : '\0';
    }
    free(copy);
    return rc;
}

int fs_mkdirs_for(const char *file_path, mode_t mode, struct hl_err *err)
{
    const char *slash = strrchr(file_path, '/');
    char *dir;
    int rc;

    if (!slash || slash == file_path)
        return HL_OK;
    dir = hl_strndup(file_path, (size_t)(slash - file_path));
    rc = fs_mkdirs(dir, mode, err);
    free(dir);
    return rc;
}

static int write_fully(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct hl_err *err)
{
    size_t n = strlen(path) + 16;
    char *tmp = hl_malloc(n);
    int fd, rc = HL_OK;

    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = hl_err_set(err, HL_EIO, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (fchmod(fd, mode) != 0 || write_fully(fd, data, len) != 0 || fsync(fd) != 0)
        rc = hl_err_set(err, HL_EIO, "cannot write %s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && rc == HL_OK)
        rc = hl_err_set(err, HL_EIO, "cannot write %s: %s", tmp, strerror(errno));
    if (rc == HL_OK && rename(tmp, path) != 0)
        rc = hl_err_set(err, HL_EIO, "cannot rename to %s: %s", path, strerror(errno));
    if (rc != HL_OK)
        unlink(tmp);
out:
    free(tmp);
    return rc;
}

int fs_remove_prefixed(const char *dir, const char *prefix, struct hl_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = strlen(prefix);
    int rc = HL_OK;

    if (!d)
        return errno == ENOENT
                   ? HL_OK
                   : hl_err_set(err, HL_EIO, "cannot read %s: %s", dir, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strncmp(e->d_name, prefix, n) != 0 || e->d_type == DT_DIR)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (unlink(path) != 0 && errno != ENOENT)
            rc = hl_err_set(err, HL_EIO, "cannot remove %s: %s", path, strerror(errno));
    }
    closedir(d);
    return rc;
}

int fs_read_all(const char *path, size_t max, char **out, size_t *len, struct hl_err *err)
{
    struct buf b = BUF_INIT(max);
    char chunk[8192];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = HL_OK;

    if (fd < 0)
        return hl_err_set(err, errno == ENOENT ? HL_ENOTFOUND : HL_EIO, "cannot open %s: %s", path,
                          strerror(errno));
    while (rc == HL_OK && (n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = hl_err_set(err, HL_EIO, "cannot read %s: %s", path, strerror(errno));
        else if (buf_add(&b, chunk, (size_t)n) != HL_OK)
            rc = hl_err_set(err, HL_ETOOLARGE, "%s is larger than %zu bytes", path, max);
    }
    close(fd);
    if (rc != HL_OK) {
        buf_release(&b);
        return rc;
    }
    *out = buf_detach(&b, len);
    return HL_OK;
}
