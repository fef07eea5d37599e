/*
 * embed_assets.c — the build step that turns web/ into C: every asset
 * becomes a byte array in one generated source file that src/web/assets.c
 * serves (docs/web.md).
 *
 *     embed_assets OUT.c NAME=PATH [NAME=PATH ...]
 *
 * For each asset it writes the bytes, the content type (from the name's
 * extension; an unknown extension stops the build), a hash (the first 32 hex
 * digits of SHA-256 of the bytes) and, for text of 1 KiB or more, a gzip
 * variant (zlib level 9, no name, no time stamp) when that is smaller.
 *
 * HTML files are page templates: before they are hashed, every
 * "{{asset:NAME}}" in them becomes "/assets/NAME?v=HASH", so a page always
 * names the exact version of the scripts and styles it was built with. A
 * placeholder naming an unknown asset (or another page) stops the build.
 *
 * A build tool, run on the build machine only: it links OpenSSL (SHA-256)
 * and zlib directly and never goes into the hotline binary. OUT.c is
 * written to a temporary file and renamed, so a failed run leaves no half
 * file behind for the next build.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define HASH_HEX   32   /* hex digits of SHA-256 kept as an asset's version */
#define GZIP_MIN   1024 /* smaller text is not worth compressing */
#define MAX_ASSETS 256

struct asset {
    const char *name;
    const char *path;
    const char *type;
    int text, page;
    unsigned char *data;
    size_t len;
    unsigned char *gz;
    size_t gz_len;
    char hash[HASH_HEX + 1];
};

static const struct {
    const char *ext, *type;
    int text;
} types[] = {
    {".html", "text/html; charset=utf-8", 1},
    {".css", "text/css; charset=utf-8", 1},
    {".js", "text/javascript; charset=utf-8", 1},
    {".json", "application/json", 1},
    {".svg", "image/svg+xml", 1},
    {".txt", "text/plain; charset=utf-8", 1},
    {".png", "image/png", 0},
    {".ico", "image/x-icon", 0},
    {".woff2", "font/woff2", 0},
};

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "embed_assets: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory", NULL);
    return p;
}

static void read_file(struct asset *a)
{
    FILE *f = fopen(a->path, "rb");
    size_t cap = 65536, n;

    if (!f)
        die(strerror(errno), a->path);
    a->data = xrealloc(NULL, cap);
    a->len = 0;
    while ((n = fread(a->data + a->len, 1, cap - a->len, f)) > 0) {
        a->len += n;
        if (a->len == cap)
            a->data = xrealloc(a->data, cap *= 2);
    }
    if (ferror(f))
        die("cannot read", a->path);
    fclose(f);
}

static void classify(struct asset *a)
{
    size_t i, n = strlen(a->name), e;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        e = strlen(types[i].ext);
        if (n > e && strcmp(a->name + n - e, types[i].ext) == 0) {
            a->type = types[i].type;
            a->text = types[i].text;
            a->page = strcmp(types[i].ext, ".html") == 0;
            return;
        }
    }
    die("no content type for this extension (add it to tools/embed_assets.c)", a->name);
}

static void hash(struct asset *a)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0, i;

    if (!EVP_Digest(a->data, a->len, md, &md_len, EVP_sha256(), NULL))
        die("SHA-256 failed", a->name);
    for (i = 0; i < HASH_HEX / 2; i++)
        snprintf(a->hash + 2 * i, 3, "%02x", md[i]);
}

static void compress_gzip(struct asset *a)
{
    z_stream z;
    size_t cap = a->len + a->len / 100 + 64;

    if (!a->text || a->len < GZIP_MIN)
        return;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        die("zlib init failed", a->name);
    a->gz = xrealloc(NULL, cap);
    z.next_in = a->data;
    z.avail_in = (uInt)a->len;
    z.next_out = a->gz;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        die("gzip failed", a->name);
    a->gz_len = z.total_out;
    deflateEnd(&z);
    if (a->gz_len >= a->len) {
        free(a->gz);
        a->gz = NULL;
        a->gz_len = 0;
    }
}

static const struct asset *find(const struct asset *all, int n, const char *name, size_t len)
{
    int i;

    for (i = 0; i < n; i++)
        if (strlen(all[i].name) == len && memcmp(all[i].name, name, len) == 0)
            return &all[i];
    return NULL;
}

/* Replace every {{asset:NAME}} in page a with NAME's versioned URL. */
static void fill_template(struct asset *a, const struct asset *all, int n)
{
    static const char opener[] = "{{asset:";
    unsigned char *out = NULL;
    size_t out_len = 0, i = 0;

    while (i < a->len) {
        const char *p = NULL, *end;
        const struct asset *ref;
        char url[512];
        int m;

        if (a->len - i >= sizeof(opener) - 1 && memcmp(a->data + i, opener, sizeof(opener) - 1) == 0)
            p = (const char *)a->data + i + sizeof(opener) - 1;
        if (!p) {
            out = xrealloc(out, out_len + 1);
            out[out_len++] = a->data[i++];
            continue;
        }
        end = memchr(p, '}', a->len - (size_t)(p - (const char *)a->data));
        if (!end || end + 1 >= (const char *)a->data + a->len || end[1] != '}')
            die("unterminated {{asset:...}} in", a->name);
        ref = find(all, n, p, (size_t)(end - p));
        if (!ref || ref->page) {
            fprintf(stderr, "embed_assets: %s names %.*s, which is not an embedded script, style "
                    "or image\n", a->name, (int)(end - p), p);
            exit(1);
        }
        m = snprintf(url, sizeof(url), "/assets/%s?v=%s", ref->name, ref->hash);
        out = xrealloc(out, out_len + (size_t)m);
        memcpy(out + out_len, url, (size_t)m);
        out_len += (size_t)m;
        i = (size_t)(end + 2 - (const char *)a->data);
    }
    free(a->data);
    a->data = out;
    a->len = out_len;
}

static void write_bytes(FILE *f, const char *var, const unsigned char *p, size_t n)
{
    size_t i;

    fprintf(f, "static const unsigned char %s[] = {", var);
    for (i = 0; i < n; i++)
        fprintf(f, "%s%u,", i % 20 ? "" : "\n    ", p[i]);
    fprintf(f, "%s};\n", n ? "\n" : "0");
}

static void write_c(FILE *f, const struct asset *all, int n)
{
    char var[32];
    int i;

    fprintf(f, "/* Generated by tools/embed_assets.c from web/ at build time: do not edit. */\n"
               "#include \"web/assets.h\"\n\n");
    for (i = 0; i < n; i++) {
        snprintf(var, sizeof(var), "asset_%d", i);
        write_bytes(f, var, all[i].data, all[i].len);
        if (all[i].gz) {
            snprintf(var, sizeof(var), "asset_%d_gz", i);
            write_bytes(f, var, all[i].gz, all[i].gz_len);
        }
    }
    fprintf(f, "\nconst struct web_asset web_asset_table[] = {\n");
    for (i = 0; i < n; i++) {
        const struct asset *a = &all[i];

        fprintf(f, "    {\"%s\", \"%s\", \"%s\", \"\\\"%s\\\"\", \"\\\"%s-gz\\\"\", %d,\n", a->name,
                a->type, a->hash, a->hash, a->hash, a->page);
        fprintf(f, "     asset_%d, %zu, ", i, a->len);
        if (a->gz)
            fprintf(f, "asset_%d_gz, %zu},\n", i, a->gz_len);
        else
            fprintf(f, "NULL, 0},\n");
    }
    fprintf(f, "};\nconst size_t web_asset_count = %d;\n", n);
}

static void check_name(const char *name)
{
    const char *c;

    if (!*name)
        die("empty asset name", NULL);
    for (c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '-' || *c == '_'))
            die("asset names are letters, digits, '.', '-' and '_'", name);
}

int main(int argc, char **argv)
{
    static struct asset all[MAX_ASSETS];
    char tmp[4096];
    FILE *f;
    int i, n = argc - 2;

    if (argc < 3 || n > MAX_ASSETS)
        die("usage: embed_assets OUT.c NAME=PATH [NAME=PATH ...]", NULL);
    for (i = 0; i < n; i++) {
        char *eq = strchr(argv[i + 2], '=');

        if (!eq)
            die("expected NAME=PATH", argv[i + 2]);
        *eq = '\0';
        all[i].name = argv[i + 2];
        all[i].path = eq + 1;
        check_name(all[i].name);
        if (find(all, i, all[i].name, strlen(all[i].name)))
            die("asset named twice", all[i].name);
        classify(&all[i]);
        read_file(&all[i]);
    }
    for (i = 0; i < n; i++) /* scripts, styles and images first: pages name their hashes */
        if (!all[i].page)
            hash(&all[i]);
    for (i = 0; i < n; i++)
        if (all[i].page) {
            fill_template(&all[i], all, n);
            hash(&all[i]);
        }
    for (i = 0; i < n; i++)
        compress_gzip(&all[i]);
    snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
    f = fopen(tmp, "w");
    if (!f)
        die(strerror(errno), tmp);
    write_c(f, all, n);
    if (fclose(f) != 0 || rename(tmp, argv[1]) != 0)
        die("cannot write", argv[1]);
    for (i = 0; i < n; i++) {
        free(all[i].data);
        free(all[i].gz);
    }
    return 0;
}
