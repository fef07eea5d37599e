/*
 * tz.c — civil dates and conversions to and from an IANA time zone.
 *
 * Date arithmetic is done on civil days (Howard Hinnant's days_from_civil),
 * which has no time zone and no DST. Only the two conversions between a wall
 * clock and an instant touch the zone, through the C library's localtime_r
 * and mktime with TZ set to the zone. TZ is process-global, so every
 * conversion holds tz_lock while it sets TZ, converts and puts the previous
 * TZ back: conversions never see each other's zone. No other hotline code
 * reads the local zone (everything else is UTC), and glibc keeps superseded
 * environment arrays alive, so a getenv() in another thread stays safe.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis_internal.h"
#include "core/banned.h"

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

long civil_days(int y, int m, int d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(long z, int *y, int *m, int *d)
{
    long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int civil_weekday(long days)
{
    return (int)(((days % 7) + 11) % 7);
}

int civil_month_days(int y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 ? 28 + leap : len[(m - 1) % 12];
}

int tz_valid(const char *zone)
{
    char path[256];

    if (!zone || !*zone || zone[0] == '/' || strstr(zone, "..") || strlen(zone) >= 64)
        return 0;
    if (snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone) >= (int)sizeof(path))
        return 0;
    return access(path, R_OK) == 0;
}

/* Under tz_lock: TZ=":zone"; the previous value goes to *saved (heap or NULL). */
static void tz_enter(const char *zone, char **saved)
{
    char tz[80];
    const char *old;

    pthread_mutex_lock(&tz_lock);
    old = getenv("TZ");
    *saved = old ? hl_strdup(old) : NULL;
    snprintf(tz, sizeof(tz), ":%s", zone);
    setenv("TZ", tz, 1);
    tzset();
}

static void tz_leave(char *saved)
{
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    pthread_mutex_unlock(&tz_lock);
    free(saved);
}

/* localtime_r in zone, with the UTC offset in tm_gmtoff. */
static int tz_tm(const char *zone, time_t t, struct tm *tm)
{
    char *saved;
    int ok;

    tz_enter(zone, &saved);
    ok = localtime_r(&t, tm) != NULL;
    tz_leave(saved);
    return ok ? HL_OK : HL_EINVAL;
}

int tz_to_civil(const char *zone, time_t t, struct civil *out)
{
    struct tm tm;

    if (tz_tm(zone, t, &tm) != HL_OK)
        return HL_EINVAL;
    out->y = tm.tm_year + 1900;
    out->m = tm.tm_mon + 1;
    out->d = tm.tm_mday;
    out->hh = tm.tm_hour;
    out->mi = tm.tm_min;
    return HL_OK;
}

int tz_from_civil(const char *zone, const struct civil *c, time_t *out)
{
    struct tm tm = {0};
    char *saved;
    int y, m, d;

    /* Normalise 24:00 and day overflow ourselves: mktime's is not needed then. */
    civil_from_days(civil_days(c->y, c->m, c->d) + c->hh / 24, &y, &m, &d);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = c->hh % 24;
    tm.tm_min = c->mi;
    tm.tm_isdst = -1;
    tz_enter(zone, &saved);
    *out = mktime(&tm);
    tz_leave(saved);
    return *out == (time_t)-1 ? HL_EINVAL : HL_OK;
}

void tz_format(const char *zone, time_t t, char out[40])
{
    struct tm tm;
    long off;

    out[0] = '\0';
    if (tz_tm(zone, t, &tm) != HL_OK)
        return;
    off = tm.tm_gmtoff;
    /* Bounded fields (years 0..9999) keep the result within 25 bytes. */
    snprintf(out, 40, "%04u-%02u-%02uT%02u:%02u:%02u%c%02u:%02u",
             (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
             (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
             (unsigned)tm.tm_sec % 100u, off < 0 ? '-' : '+', (unsigned)(labs(off) / 3600 % 100),
             (unsigned)(labs(off) % 3600 / 60));
}

/* n digits at *s into *v; advances *s. */
static int digits(const char **s, int n, int *v)
{
    *v = 0;
    while (n--) {
        if (**s < '0' || **s > '9')
            return -1;
        *v = *v * 10 + (*(*s)++ - '0');
    }
    return 0;
}

static int parse_offset(const char *s, long *off)
{
    int sign, h, m;

    if (*s == 'Z' || *s == 'z') {
        *off = 0;
        return s[1] ? -1 : 0;
    }
    if (*s != '+' && *s != '-')
        return -1;
    sign = *s++ == '-' ? -1 : 1;
    if (digits(&s, 2, &h))
        return -1;
    if (*s == ':')
        s++;
    if (digits(&s, 2, &m) || *s || h > 14 || m > 59)
        return -1;
    *off = sign * (h * 3600L + m * 60L);
    return 0;
}

int tz_parse_iso(const char *s, time_t *out)
{
    int y, mo, d, h, mi, sec = 0;
    long off;

    if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
        digits(&s, 2, &d) || (*s != 'T' && *s != ' ') || (s++, digits(&s, 2, &h)) || *s++ != ':' ||
        digits(&s, 2, &mi))
        return -1;
    if (*s == ':' && (s++, digits(&s, 2, &sec)))
        return -1;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9';)
            s++;
    if (mo < 1 || mo > 12 || d < 1 || d > civil_month_days(y, mo) || h > 23 || mi > 59 ||
        sec > 60 || parse_offset(s, &off))
        return -1;
    *out = (time_t)(civil_days(y, mo, d) * 86400L + h * 3600L + mi * 60L + sec - off);
    return 0;
}

int analysis_local_days(const char *zone, time_t now, int n, char (*dates)[ANALYSIS_DATE_SIZE],
                        time_t *starts)
{
    struct civil today, day = {0};
    long first;
    int i;

    if (tz_to_civil(zone, now, &today) != HL_OK)
        return HL_EINVAL;
    first = civil_days(today.y, today.m, today.d) - (n - 1);
    for (i = 0; i <= n; i++) {
        civil_from_days(first + i, &day.y, &day.m, &day.d);
        if (tz_from_civil(zone, &day, &starts[i]) != HL_OK)
            return HL_EINVAL;
        /* The moduli only show the compiler that the text fits (the values are in range). */
        if (i < n)
            snprintf(dates[i], ANALYSIS_DATE_SIZE, "%04d-%02d-%02d",
                     (day.y % 10000 + 10000) % 10000, (day.m % 13 + 13) % 13,
                     (day.d % 32 + 32) % 32);
    }
    return HL_OK;
}
