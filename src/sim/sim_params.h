/*
 * sim_params.h — name/value lists the emulator keeps and sends.
 *
 * A call keeps every parameter it was created with (so that the call driver
 * can read Url, StatusCallbackEvent, SendDigits ... as given), and every
 * callback the emulator sends is a list of parameters that is both signed
 * and form-encoded. Names may repeat (StatusCallbackEvent, MediaUrl), in
 * order. Strings are copied to the heap: sim_params_release() frees them.
 */
#ifndef HL_SIM_PARAMS_H
#define HL_SIM_PARAMS_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/form.h"

struct sim_kv {
    char *name;
    char *value;
};

struct sim_params {
    struct sim_kv *items;
    size_t count;
};

#define SIM_PARAMS_INIT                                                                            \
    {                                                                                              \
        NULL, 0                                                                                    \
    }

void sim_params_release(struct sim_params *p);

/* Append a copy of name=value; a NULL value adds nothing. */
void sim_params_add(struct sim_params *p, const char *name, const char *value);

/* Replace every name=... with one name=value (appended when absent); NULL value removes. */
void sim_params_set(struct sim_params *p, const char *name, const char *value);

/* The first value for name, or NULL. */
const char *sim_params_get(const struct sim_params *p, const char *name);

/* Copy every field of a decoded form (a name or value with a NUL byte is cut at it). */
void sim_params_from_form(struct sim_params *p, const struct form *form);

/* A deep copy of src into dst (dst starts empty). */
void sim_params_copy(struct sim_params *dst, const struct sim_params *src);

/* The list as a struct form whose fields point into p (the array comes from a; NULL if full). */
int sim_params_as_form(const struct sim_params *p, struct arena *a, struct form *out);

/* application/x-www-form-urlencoded body: name=value&... HL_OK or HL_ETOOLARGE. */
int sim_params_encode(const struct sim_params *p, struct buf *out);

/* Percent-encode s for a URL component (RFC 3986 unreserved kept). HL_OK or HL_ETOOLARGE. */
int sim_url_escape(struct buf *out, const char *s);

#endif
