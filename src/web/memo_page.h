/*
 * memo_page.h — /voice/{id}: the page that plays an encrypted memo, and the
 * public, non-secret data it fetches (docs/web.md).
 *
 * The link's id is the capability to fetch the ciphertext; the key that
 * opens it is in the link's fragment, which only the browser sees. So these
 * routes need no login and never receive a key:
 *
 *   GET /voice/{id}            the page (HTML with no data in it; the script
 *                              does the work), or a 404 page
 *   GET /voice/{id}/memo.json  id, kind, created_at, key_sha256 and which
 *                              encrypted parts exist with their sizes
 *   GET /voice/{id}/audio      the HLM1 file of the recording,
 *   GET /voice/{id}/meta       and of the transcript and analysis, as
 *                              application/octet-stream (docs/memo-format.md)
 *
 * An id that is not 22 base64url characters is refused before any lookup;
 * an unknown or erased memo is 404. Nothing is cached (no-store).
 */
#ifndef HL_WEB_MEMO_PAGE_H
#define HL_WEB_MEMO_PAGE_H

#include "app/app.h"

void web_memo_page(struct app_request *r);
void web_memo_json(struct app_request *r);
void web_memo_audio(struct app_request *r);
void web_memo_meta(struct app_request *r);

#endif
