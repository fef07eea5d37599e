/*
 * lazylib.h — a shared library opened on first use.
 *
 * Heavy engines that most runs never call (espeak-ng, PocketSphinx) are not
 * linked: linked, their libraries and some forty dependencies (audio
 * servers, X11, LAPACK, codecs) were loaded and relocated at every start,
 * about 4 MB of resident memory in a server that never speaks or listens.
 * A module lists the functions it calls in a table of slots and opens the
 * library the first time it needs it; the library then stays loaded.
 */
#ifndef HL_LAZYLIB_H
#define HL_LAZYLIB_H

#include <stddef.h>

#include "core/hl.h"

struct lazylib_sym {
    const char *name;
    void **slot; /* receives the function's address */
};

/*
 * Open the library soname (e.g. "libespeak-ng.so.1") and fill every slot of
 * syms; HL_ECONFIG naming what is missing if the library or a function
 * cannot be found. Not thread-safe: call it under pthread_once.
 */
int lazylib_open(const char *soname, const struct lazylib_sym *syms, size_t n, struct hl_err *err);

#endif
