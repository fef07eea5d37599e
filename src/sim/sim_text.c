/*
 * sim_text.c — segments, keywords and TwiML <Message> texts for the emulator.
 */
#include "sim/sim_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/banned.h"

size_t sim_utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* GSM 03.38: 1 for the basic set, 2 for the extension table, 0 when not in either. */
static int gsm_septets(const unsigned char *s, size_t *adv)
{
    static const char basic[] = "@$\n\r_ !\"#%&'()*+,-./0123456789:;<=>?"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static const char ext[] = "^{}\\[~]|\f";
    static const char *const multibyte[] = {"£", "¥", "è", "é", "ù", "ì", "ò", "Ç", "Ø", "ø",
                                            "Å", "å", "Δ", "Φ", "Γ", "Λ", "Ω", "Π", "Ψ", "Σ",
                                            "Θ", "Ξ", "Æ", "æ", "ß", "É", "¤", "¡", "Ä", "Ö",
                                            "Ñ", "Ü", "§", "¿", "ä", "ö", "ñ", "ü", "à"};
    size_t i;

    *adv = 1;
    if (*s < 0x80)
        return strchr(basic, *s) ? 1 : strchr(ext, *s) ? 2 : 0;
    if (strncmp((const char *)s, "€", strlen("€")) == 0) {
        *adv = strlen("€");
        return 2;
    }
    for (i = 0; i < sizeof(multibyte) / sizeof(multibyte[0]); i++) {
        size_t n = strlen(multibyte[i]);
        if (strncmp((const char *)s, multibyte[i], n) == 0) {
            *adv = n;
            return 1;
        }
    }
    return 0;
}

/* Septets when every character is GSM-7, else -1. */
static long gsm_length(const char *body)
{
    const unsigned char *s = (const unsigned char *)body;
    long total = 0;
    size_t adv;

    while (*s) {
        int n = gsm_septets(s, &adv);
        if (!n)
            return -1;
        total += n;
        s += adv;
    }
    return total;
}

/* UTF-16 code units: characters above U+FFFF (4-byte UTF-8) take two. */
static long ucs2_length(const char *body)
{
    const unsigned char *s = (const unsigned char *)body;
    long n = 0;

    for (; *s; s++) {
        if ((*s & 0xc0) != 0x80)
            n++;
        if ((*s & 0xf8) == 0xf0)
            n++;
    }
    return n;
}

long sim_sms_segments(const char *body)
{
    long len = gsm_length(body);
    long single = 160, part = 153;

    if (len < 0) {
        len = ucs2_length(body);
        single = 70;
        part = 67;
    }
    return len <= single ? 1 : (len + part - 1) / part;
}

enum sim_keyword sim_keyword_of(const char *body)
{
    static const char *const stop[] = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"};
    static const char *const start[] = {"START", "YES", "UNSTOP"};
    size_t i, n;

    while (*body && isspace((unsigned char)*body))
        body++;
    n = strlen(body);
    while (n && isspace((unsigned char)body[n - 1]))
        n--;
    for (i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
        if (strlen(stop[i]) == n && strncasecmp(body, stop[i], n) == 0)
            return SIM_KEYWORD_STOP;
    for (i = 0; i < sizeof(start) / sizeof(start[0]); i++)
        if (strlen(start[i]) == n && strncasecmp(body, start[i], n) == 0)
            return SIM_KEYWORD_START;
    return SIM_KEYWORD_NONE;
}

/* Append the UTF-8 encoding of code point cp; returns bytes written (0 if invalid). */
static size_t utf8_put(char *out, unsigned long cp)
{
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decode one entity at s ("&amp;" ...) into out; returns the bytes of s used (0: not one). */
static size_t entity_decode(const char *s, const char *end, char *out, size_t *out_len)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    const char *semi = memchr(s, ';', (size_t)(end - s));
    size_t i;

    if (!semi || semi - s > 10)
        return 0;
    for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (strncmp(s, named[i].name, strlen(named[i].name)) == 0) {
            out[0] = named[i].c;
            *out_len = 1;
            return strlen(named[i].name);
        }
    if (s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        unsigned long cp = strtoul(s + (hex ? 3 : 2), NULL, hex ? 16 : 10);
        *out_len = utf8_put(out, cp);
        return *out_len ? (size_t)(semi - s) + 1 : 0;
    }
    return 0;
}

/* The text between s and end, tags left out and entities decoded, in a. */
static char *text_decode(const char *s, const char *end, struct arena *a)
{
    char *out = arena_alloc(a, (size_t)(end - s) + 1);
    size_t n = 0, used, len;
    const char *gt;

    if (!out)
        return NULL;
    while (s < end) {
        if (*s == '<' && (gt = memchr(s, '>', (size_t)(end - s)))) {
            s = gt + 1;
            continue;
        }
        if (*s == '&' && (used = entity_decode(s, end, out + n, &len)) > 0) {
            n += len;
            s += used;
            continue;
        }
        out[n++] = *s++;
    }
    out[n] = '\0';
    return out;
}

/* Find "<name" followed by '>', ' ' or '/' at or after s; NULL when none. */
static const char *find_tag(const char *s, const char *end, const char *name)
{
    size_t n = strlen(name);

    for (; s + n + 1 < end; s++) {
        if (*s == '<' && strncmp(s + 1, name, n) == 0 &&
            (s[n + 1] == '>' || s[n + 1] == ' ' || s[n + 1] == '/' || s[n + 1] == '\t' ||
             s[n + 1] == '\n'))
            return s;
    }
    return NULL;
}

/* The content of the element that starts at tag (up to </name>), or NULL for <name/>. */
static const char *element_content(const char *tag, const char *end, const char *name,
                                   const char **content_end)
{
    const char *gt = memchr(tag, '>', (size_t)(end - tag));
    char close[32];
    const char *c;

    if (!gt || gt[-1] == '/')
        return NULL;
    snprintf(close, sizeof(close), "</%s>", name);
    for (c = gt + 1; c + strlen(close) <= end; c++)
        if (strncmp(c, close, strlen(close)) == 0) {
            *content_end = c;
            return gt + 1;
        }
    return NULL;
}

/* One <Message>: its <Body> when it has one, else its own text. */
static char *message_text(const char *start, const char *stop, struct arena *a)
{
    const char *body = find_tag(start, stop, "Body"), *body_end = NULL, *content;

    if (body && (content = element_content(body, stop, "Body", &body_end)))
        return text_decode(content, body_end, a);
    return text_decode(start, stop, a);
}

const char **sim_twiml_messages(const char *xml, size_t len, struct arena *a)
{
    const char *end = xml + len, *s = xml, *tag, *content, *content_end = NULL;
    const char **list = arena_zalloc(a, sizeof(*list));
    size_t n = 0;

    while (list && (tag = find_tag(s, end, "Message"))) {
        const char **grown;
        s = tag + 1;
        if (!(content = element_content(tag, end, "Message", &content_end)))
            continue;
        grown = arena_zalloc(a, (n + 2) * sizeof(*list));
        if (!grown)
            return NULL;
        memcpy(grown, list, n * sizeof(*list));
        grown[n] = message_text(content, content_end, a);
        list = grown[n] ? grown : NULL;
        n++;
        s = content_end;
    }
    return list;
}
