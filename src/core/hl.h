/*
 * hl.h — the one result type shared by every hotline module.
 *
 * Functions that can fail return an int: HL_OK (0) on success or one of the
 * negative codes below. A human-readable explanation, when there is one,
 * travels in a struct hl_err that the caller passes in; nothing on the request
 * path prints to stderr or exits the process.
 */
#ifndef HL_H
#define HL_H

#include <stddef.h>

enum hl_result {
    HL_OK = 0,
    HL_ENOMEM = -1,    /* allocation failed (most callers abort instead) */
    HL_ETOOLARGE = -2, /* a bounded buffer or input exceeded its ceiling */
    HL_EINVAL = -3,    /* malformed input; hl_err says what and where */
    HL_EBADSIG = -4,   /* Twilio signature missing or wrong */
    HL_ENOTFOUND = -5, /* no such row, route, file or key */
    HL_EIO = -6,       /* an operating-system call failed */
    HL_ESTORE = -7,    /* the database refused or failed */
    HL_ECONFIG = -8,   /* a configuration value is missing or malformed */
    HL_EEXISTS = -9,   /* the thing already exists (an idempotent repeat) */
    HL_EBUSY = -10,    /* a resource is temporarily unavailable */
    HL_EREMOTE = -11,  /* a remote API answered with an error (Twilio's code in hl_err) */
    HL_EUNKNOWN = -12, /* a request may have been delivered but no answer came: outcome unknown */
    HL_EUNREACHABLE = -13, /* a remote API could not be reached; nothing was sent */
    HL_ELIMIT = -14,   /* a rate limit was exceeded */
    HL_EREFUSED = -15, /* policy refuses it: the number opted out */
};

/* A short static description of a result code ("too large", ...). */
const char *hl_strerror(int rc);

/*
 * An error message that travels with a call. Functions fill it with
 * hl_err_set() when they fail; callers show msg to a person. The buffer is
 * fixed so that setting an error never allocates.
 */
struct hl_err {
    int code;
    char msg[256];
};

/* Record rc and a printf-style message in err (which may be NULL); returns rc. */
int hl_err_set(struct hl_err *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Abort with a message: only for out-of-memory and broken invariants. */
_Noreturn void hl_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* malloc/calloc/realloc/strdup that abort on out-of-memory, as git's xmalloc. */
void *hl_malloc(size_t n);
void *hl_calloc(size_t count, size_t size);
void *hl_realloc(void *p, size_t n);
char *hl_strdup(const char *s);
char *hl_strndup(const char *s, size_t n);

#define HL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
