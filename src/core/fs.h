/*
 * fs.h — small file-system helpers: creating directories and writing files
 * so that a crash never leaves a half-written one.
 */
#ifndef HL_FS_H
#define HL_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "core/hl.h"

/* mkdir -p: create path and its missing parents with mode; existing is fine. */
int fs_mkdirs(const char *path, mode_t mode, struct hl_err *err);

/* Create the directory that will hold file path (its dirname). */
int fs_mkdirs_for(const char *file_path, mode_t mode, struct hl_err *err);

/*
 * Write data to path atomically: a temporary file in the same directory is
 * written, fsync'd and renamed over path. mode applies to the new file.
 */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                    struct hl_err *err);

/*
 * Remove every entry of dir whose name begins with prefix ("" for all; not
 * "." or ".."; directories are left) — the temporary files an interrupted
 * write left behind. A missing dir is fine.
 */
int fs_remove_prefixed(const char *dir, const char *prefix, struct hl_err *err);

/* Read a whole file of at most max bytes into a NUL-terminated heap buffer (free() it). */
int fs_read_all(const char *path, size_t max, char **out, size_t *len, struct hl_err *err);

#endif
