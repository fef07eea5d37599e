/*
 * banned.h — functions hotline must not call, turned into compile errors
 * (after git's banned.h). Include it last in every .c file.
 *
 * strcpy/strcat/sprintf overflow silently; strtok keeps hidden state;
 * atoi cannot report errors; gmtime/localtime return shared static storage.
 * Use memcpy with known lengths, snprintf, buf_addf, strtol, gmtime_r.
 */
#ifndef HL_BANNED_H
#define HL_BANNED_H

#define HL_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) HL_BANNED(strcpy)
#undef strcat
#define strcat(x, y) HL_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) HL_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) HL_BANNED(strncat)
#undef sprintf
#define sprintf(...) HL_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) HL_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) HL_BANNED(strtok)
#undef atoi
#define atoi(x) HL_BANNED(atoi)
#undef atol
#define atol(x) HL_BANNED(atol)
#undef gmtime
#define gmtime(t) HL_BANNED(gmtime)
#undef localtime
#define localtime(t) HL_BANNED(localtime)
#undef ctime
#define ctime(t) HL_BANNED(ctime)
#undef asctime
#define asctime(t) HL_BANNED(asctime)

#endif
