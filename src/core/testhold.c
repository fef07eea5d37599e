/*
 * testhold.c — the test-only hold points (see testhold.h).
 */
#include "core/testhold.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/banned.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *hold_at;   /* "<stage>:<point>", NULL when unset */
static const char *hold_file; /* the marker */

static void read_env(void)
{
    const char *at = getenv("HOTLINE_TEST_HOLD"), *file = getenv("HOTLINE_TEST_HOLD_FILE");

    hold_at = at && *at ? at : NULL;
    hold_file = file && *file ? file : "hotline-hold";
}

static int named(const char *stage, const char *point)
{
    size_t n = strlen(stage);

    return strncmp(hold_at, stage, n) == 0 && hold_at[n] == ':' &&
           strcmp(hold_at + n + 1, point) == 0;
}

void test_hold(const char *stage, const char *point)
{
    char text[160];
    int fd, len;

    pthread_once(&once, read_env);
    if (!hold_at || !stage || !named(stage, point))
        return;
    log_warn("test hold: the pipeline stops here until the process is killed",
             LOG_S("at", hold_at));
    len = snprintf(text, sizeof(text), "%s %ld\n", hold_at, (long)getpid());
    fd = open(hold_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (write(fd, text, (size_t)len) < 0)
            log_warn("test hold: marker not written", LOG_S("at", hold_at));
        close(fd);
    }
    for (;;)
        pause();
}
