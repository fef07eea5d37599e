/*
 * lazylib.c — dlopen() and dlsym() for the engines loaded on first use.
 */
#include "core/lazylib.h"

#include <dlfcn.h>

#include "core/banned.h"

int lazylib_open(const char *soname, const struct lazylib_sym *syms, size_t n, struct hl_err *err)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    size_t i;

    if (!lib)
        return hl_err_set(err, HL_ECONFIG, "cannot load %s: %s", soname, dlerror());
    for (i = 0; i < n; i++) {
        *syms[i].slot = dlsym(lib, syms[i].name);
        if (!*syms[i].slot)
            return hl_err_set(err, HL_ECONFIG, "%s has no function %s", soname, syms[i].name);
    }
    return HL_OK; /* never closed: the engine keeps state in it */
}
