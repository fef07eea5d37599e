/*
 * flows.c — the set of flows a server runs: the built-ins, then files.
 */
#include "flows/flows_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/banned.h"

struct flows {
    struct flow **list;
    size_t count;
    const struct flow *inbound;
};

/* Add f, replacing a flow of the same name. */
static void flows_put(struct flows *fs, struct flow *f)
{
    size_t i;

    for (i = 0; i < fs->count; i++)
        if (strcmp(fs->list[i]->name, f->name) == 0) {
            flow_free(fs->list[i]);
            fs->list[i] = f;
            return;
        }
    fs->list = hl_realloc(fs->list, (fs->count + 1) * sizeof(*fs->list));
    fs->list[fs->count++] = f;
}

static int load_builtins(struct flows *fs, struct hl_err *err)
{
    char source[64];
    size_t i;

    for (i = 0; i < flow_builtins_count; i++) {
        struct flow *f;
        const char *json = flow_builtins[i].json;
        snprintf(source, sizeof(source), "built-in flow %s", flow_builtins[i].name);
        if (flow_parse(json, strlen(json), source, &f, err) != HL_OK)
            return err->code;
        flows_put(fs, f);
    }
    return HL_OK;
}

static int load_file(struct flows *fs, const char *path, struct flow **loaded, struct hl_err *err)
{
    char *text = NULL;
    size_t len = 0;
    struct flow *f;

    if (fs_read_all(path, 1 << 20, &text, &len, err) != HL_OK)
        return hl_err_set(err, HL_ECONFIG, "flow file %s: %s", path, err->msg);
    if (flow_parse(text, len, path, &f, err) != HL_OK) {
        free(text);
        return HL_ECONFIG;
    }
    free(text);
    flows_put(fs, f);
    if (loaded)
        *loaded = f;
    return HL_OK;
}

static int is_json_file(const char *name)
{
    size_t n = strlen(name);

    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int load_dir(struct flows *fs, const char *dir, struct hl_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    int rc = HL_OK;

    if (!d)
        return hl_err_set(err, HL_ECONFIG, "FLOWS_DIR: cannot open %s", dir);
    while (rc == HL_OK && (e = readdir(d)) != NULL) {
        if (!is_json_file(e->d_name))
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
            rc = hl_err_set(err, HL_ECONFIG, "FLOWS_DIR: path too long");
        else
            rc = load_file(fs, path, NULL, err);
    }
    closedir(d);
    return rc;
}

/* FLOW is a path when it names a file (has a '/' or ends in .json). */
static int is_path(const char *flow)
{
    return strchr(flow, '/') || is_json_file(flow);
}

static int pick_inbound(struct flows *fs, const struct config *cfg, struct hl_err *err)
{
    struct flow *loaded = NULL;
    int rc;

    if (is_path(cfg->flow)) {
        if ((rc = load_file(fs, cfg->flow, &loaded, err)) != HL_OK)
            return rc;
        fs->inbound = loaded;
        return HL_OK;
    }
    fs->inbound = flows_get(fs, cfg->flow);
    if (!fs->inbound)
        return hl_err_set(err, HL_ECONFIG, "FLOW: no flow named \"%s\" (built-in: ivr-tts, "
                                           "receptionist, record-analyze, outbound-consent, "
                                           "voicemail)",
                          cfg->flow);
    return HL_OK;
}

int flows_load(struct flows **out, const struct config *cfg, struct hl_err *err)
{
    struct flows *fs = hl_calloc(1, sizeof(*fs));
    int rc = load_builtins(fs, err);

    if (rc == HL_OK && cfg->flows_dir)
        rc = load_dir(fs, cfg->flows_dir, err);
    if (rc == HL_OK)
        rc = pick_inbound(fs, cfg, err);
    if (rc != HL_OK) {
        flows_free(fs);
        fs = NULL;
        rc = HL_ECONFIG;
    }
    *out = fs;
    return rc;
}

void flows_free(struct flows *fs)
{
    size_t i;

    if (!fs)
        return;
    for (i = 0; i < fs->count; i++)
        flow_free(fs->list[i]);
    free(fs->list);
    free(fs);
}

const struct flow *flows_get(const struct flows *fs, const char *name)
{
    size_t i;

    for (i = 0; name && i < fs->count; i++)
        if (strcmp(fs->list[i]->name, name) == 0)
            return fs->list[i];
    return NULL;
}

const struct flow *flows_inbound(const struct flows *fs)
{
    return fs->inbound;
}

size_t flows_count(const struct flows *fs)
{
    return fs->count;
}

const struct flow *flows_at(const struct flows *fs, size_t i)
{
    return i < fs->count ? fs->list[i] : NULL;
}
