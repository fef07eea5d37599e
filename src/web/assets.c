/*
 * assets.c — look up the assets tools/embed_assets.c generated.
 *
 * The table is small (a handful of files), so a linear search is all it
 * needs; names are compared exactly, never interpreted as paths.
 */
#include "web/assets.h"

#include <string.h>

#include "core/banned.h"

const struct web_asset *web_asset_find(const char *name, size_t len)
{
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < web_asset_count; i++)
        if (strlen(web_asset_table[i].name) == len &&
            memcmp(web_asset_table[i].name, name, len) == 0)
            return &web_asset_table[i];
    return NULL;
}
