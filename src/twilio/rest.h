/*
 * rest.h — hotline's client for Twilio's REST API: the only code that talks
 * to api.twilio.com (or to the emulator / a test server standing in for it).
 *
 * It places and steers calls, sends SMS/WhatsApp messages, and fetches,
 * downloads and deletes recordings, the way Twilio's SDKs do it
 * (https://www.twilio.com/docs/usage/api, API version 2010-04-01):
 *
 *   POST   {base}/2010-04-01/Accounts/{AC}/Calls.json               create a call
 *   POST   {base}/2010-04-01/Accounts/{AC}/Calls/{CA}.json          redirect / end a call
 *   GET    {base}/2010-04-01/Accounts/{AC}/Calls/{CA}.json          fetch a call
 *   POST   {base}/2010-04-01/Accounts/{AC}/Messages.json            send a message
 *   GET    {base}/2010-04-01/Accounts/{AC}/Messages.json            list messages
 *   GET    {base}/2010-04-01/Accounts/{AC}/Recordings/{RE}.json     fetch a recording
 *   DELETE {base}/2010-04-01/Accounts/{AC}/Recordings/{RE}.json     delete it (204)
 *   GET    {RecordingUrl}.wav                                       download the audio
 *
 * Requests are application/x-www-form-urlencoded, with a repeated key for
 * each value of a list (StatusCallbackEvent=initiated&StatusCallbackEvent=
 * ringing...), HTTP Basic auth, "Accept: application/json" and "User-Agent:
 * hotline/<version> (libcurl/<version>)". Answers are JSON.
 *
 * Retries, as the SDKs' auto-retry does them (twilio-node RequestClient):
 * only two failures are repeated, because only they are known not to have
 * been carried out:
 *
 *   - a 429 Too Many Requests answer;
 *   - a failure before the request was sent: DNS failure, connection
 *     refused, TLS handshake failure, connect timeout. "Before sent" is
 *     decided from libcurl: CURLE_COULDNT_RESOLVE_HOST/_PROXY,
 *     CURLE_COULDNT_CONNECT and CURLE_SSL_CONNECT_ERROR always are; any
 *     other failure is only when curl reports that no request byte was
 *     written (CURLINFO_REQUEST_SIZE 0) and the transfer never reached its
 *     pre-transfer point (CURLINFO_PRETRANSFER_TIME_T 0) — a timeout while
 *     connecting, say.
 *
 * Retry n (1, 2, ...) first sleeps a random time in [0, min(cap, base * 2^n)]
 * milliseconds ("full jitter", the same formula and defaults as twilio-node:
 * base 100, cap 3000, 3 retries). Everything else is answered at once and
 * never repeated: a 5xx, a timeout after sending, a connection dropped after
 * sending, an answer that is not HTTP or not JSON. A POST is also never
 * re-sent behind the caller's back by libcurl itself (which would otherwise
 * repeat a request whose reused keep-alive connection closed before any
 * answer byte): such a transfer is stopped and reported as HL_EUNKNOWN.
 *
 * Results. Every function returns HL_OK or one of:
 *
 *   HL_EINVAL       bad parameters; nothing was sent. err names the
 *                   parameter as Twilio does ("To: required").
 *   HL_EREMOTE      Twilio answered with an error (4xx other than 404, or
 *                   5xx, or 429 after the last retry). err->msg is a
 *                   sentence built from Twilio's error JSON, e.g. "Twilio
 *                   refused the request (HTTP 400, code 21211): The 'To'
 *                   number +1555 is not a valid phone number. (https://...)";
 *                   reply holds http_status, twilio_code and more_info.
 *   HL_ENOTFOUND    HTTP 404 (reply filled as for HL_EREMOTE).
 *   HL_EUNKNOWN     the request may have been delivered but no usable answer
 *                   came (timeout or dropped connection after sending, an
 *                   answer that is not HTTP, a 2xx that is not the expected
 *                   JSON). It was not repeated; err says so.
 *   HL_EUNREACHABLE nothing was sent, after every retry.
 *   HL_ETOOLARGE    rest_recording_download(): the audio passed the cap.
 *   HL_EIO          a local file could not be written, or libcurl could not
 *                   be set up.
 *
 * No message ever contains the password (auth token or API key secret).
 * reply (may be NULL everywhere) always describes the last exchange; err
 * (may be NULL) is filled on failure only; a result struct (out, may be
 * NULL) is written on HL_OK only. Twilio's Retry-After header is not read,
 * as the SDKs do not read it either.
 *
 * Connections: the client keeps a small pool of libcurl handles, each with
 * its own connection cache, so sequential and concurrent requests reuse
 * their TCP/TLS connections. One struct rest_client serves a whole process:
 * every function may be called from any number of threads at once, except
 * rest_client_free().
 */
#ifndef HL_REST_H
#define HL_REST_H

#include <stddef.h>

#include "core/hl.h"

struct rest_client;

/* How to reach Twilio. Strings are copied by rest_client_new(). */
struct rest_options {
    const char *api_base;      /* "https://api.twilio.com" or "http://127.0.0.1:8080"; http(s)
                                  scheme, host, optional port and path; trailing '/' ignored */
    const char *account_sid;   /* AC + 32 hex digits; in every path */
    const char *username;      /* API key SID (SK...) when configured, else the account SID */
    const char *password;      /* API key secret, else the auth token */
    long connect_timeout_ms;   /* 0: 5000 */
    long timeout_ms;           /* one whole attempt, connecting included; 0: 15000 */
    int max_retries;           /* 0: 3; negative: none */
    long long media_max_bytes; /* download cap; 0: 100 MiB */
    long backoff_base_ms, backoff_cap_ms; /* 0: 100 and 3000 (tests shrink them) */
};

/*
 * Check opt and make a client. HL_EINVAL names the bad option (a missing
 * field, an api_base that is not an http(s) URL or carries credentials, an
 * account SID that is not AC + 32 hex digits, a negative timeout). HL_EIO
 * when libcurl cannot be initialised. Nothing is sent. On success *out is
 * released with rest_client_free().
 */
int rest_client_new(struct rest_client **out, const struct rest_options *opt, struct hl_err *err);

/* Close the pooled connections, wipe the password and free c. NULL is ignored. */
void rest_client_free(struct rest_client *c);

/* What the last exchange of a call ended with, for callers that show or store it. */
struct rest_reply {
    int http_status;     /* 0: no HTTP answer */
    int twilio_code;     /* Twilio's error "code"; 0: none */
    char more_info[160]; /* Twilio's error "more_info" URL, "" when none */
    int attempts;        /* requests made: 0 when nothing was sent (HL_EINVAL) */
};

/*
 * Results are copied into fixed-size fields: a longer value is cut at a
 * UTF-8 character boundary. A field Twilio left out (or null) is "" for
 * strings and -1 for integers unless the field says otherwise.
 */
struct rest_call {
    char sid[35];
    char status[24];    /* queued, ringing, in-progress, completed, ... */
    char direction[24]; /* outbound-api, inbound, ... */
    char from[64];
    char to[64];
    char date_created[40]; /* RFC 2822, as Twilio writes it */
    long long duration_s;  /* -1 absent */
};

/* StatusCallbackEvent values, OR-ed; sent in this order. */
enum rest_call_event {
    REST_CALL_INITIATED = 1,
    REST_CALL_RINGING = 2,
    REST_CALL_ANSWERED = 4,
    REST_CALL_COMPLETED = 8,
};

/* RecordingStatusCallbackEvent values, OR-ed; sent in this order. */
enum rest_recording_event {
    REST_REC_IN_PROGRESS = 1,
    REST_REC_COMPLETED = 2,
    REST_REC_ABSENT = 4,
};

/* https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource */
struct rest_call_params {
    const char *to, *from; /* required */
    const char *url;       /* exactly one of url and twiml */
    const char *twiml;
    const char *method; /* "GET", "POST" or NULL (omitted) */
    const char *status_callback;
    unsigned status_callback_events;    /* enum rest_call_event bits */
    const char *status_callback_method; /* "GET", "POST" or NULL */
    int record;                         /* 1: Record=true; 0: omitted */
    const char *recording_status_callback;
    unsigned recording_status_callback_events; /* enum rest_recording_event bits */
    int timeout_s;                             /* ring time, 1..600; 0: omitted (Twilio's 60) */
    const char *machine_detection;             /* "Enable", "DetectMessageEnd" or NULL */
};

/*
 * Place a call. HL_EINVAL (nothing sent) when To or From is missing, both or
 * neither of Url and Twiml are given, a method is not GET/POST, an event bit
 * is unknown, timeout_s is outside 0..600 or machine_detection is not one of
 * its two values. On HL_OK *out describes the new call (status "queued").
 */
int rest_call_create(struct rest_client *c, const struct rest_call_params *p, struct rest_call *out,
                     struct rest_reply *reply, struct hl_err *err);

/* https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource */
struct rest_call_update {
    const char *url, *twiml; /* new instructions: at most one */
    const char *method;      /* for url: "GET", "POST" or NULL */
    const char *status;      /* "completed" (hang up) | "canceled" (if not answered) | NULL */
};

/*
 * Redirect a live call to new TwiML or end it. call_sid must be CA + 32 hex
 * digits; at least one of url, twiml and status must be given. On HL_OK *out
 * is the call as Twilio now describes it.
 */
int rest_call_update(struct rest_client *c, const char *call_sid, const struct rest_call_update *u,
                     struct rest_call *out, struct rest_reply *reply, struct hl_err *err);

/* Fetch a call (CA + 32 hex). HL_ENOTFOUND when Twilio has no such call. */
int rest_call_fetch(struct rest_client *c, const char *call_sid, struct rest_call *out,
                    struct rest_reply *reply, struct hl_err *err);

struct rest_message {
    char sid[35];
    char status[24]; /* queued, accepted, sending, sent, ... */
    char direction[24];
    char from[80];
    char to[80];
    char date_created[40];
    int num_segments; /* -1 absent */
    int error_code;   /* 0 none */
};

/* Most media a message may carry, and the longest Body, in characters. */
#define REST_MAX_MEDIA      10
#define REST_MAX_BODY_CHARS 1600

/* https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource */
struct rest_message_params {
    const char *to;                    /* E.164 or "whatsapp:+..."; required */
    const char *from;                  /* at least one of from and */
    const char *messaging_service_sid; /* messaging_service_sid (MG + 32 hex) */
    const char *body;                  /* valid UTF-8, at most 1600 code points (not bytes) */
    const char *const *media_urls;     /* MediaUrl repeated, at most 10, each non-empty */
    size_t media_count;
    const char *status_callback;
};

/*
 * Send a message. HL_EINVAL (nothing sent) when To is missing, neither From
 * nor MessagingServiceSid is given, the service SID is malformed, there is
 * neither a Body nor a MediaUrl, the Body is not UTF-8 or longer than 1600
 * characters, or there are more than 10 media URLs. On HL_OK *out describes
 * the queued message.
 */
int rest_message_create(struct rest_client *c, const struct rest_message_params *p,
                        struct rest_message *out, struct rest_reply *reply, struct hl_err *err);

/* Which messages to list: Twilio's To and From filters (NULL: any). */
struct rest_message_query {
    const char *to, *from; /* E.164 or "whatsapp:+..." */
    int page_size;         /* 1..1000; 0: 50 */
    int max_pages;         /* pages read, following next_page_uri; 0: 1 */
};

/*
 * List messages newest first, as Twilio orders them. each gets every message
 * with its Body (NULL when Twilio shows none; valid during the call only) and
 * returns nonzero to stop the walk. HL_OK once it stopped or the pages ran
 * out; an answer that is not a page of messages is HL_EUNKNOWN.
 */
int rest_message_list(struct rest_client *c, const struct rest_message_query *q,
                      int (*each)(void *ctx, const struct rest_message *m, const char *body),
                      void *ctx, struct rest_reply *reply, struct hl_err *err);

struct rest_recording {
    char sid[35];
    char call_sid[35];
    char status[24]; /* in-progress, completed, absent, ... */
    char source[32]; /* RecordVerb, OutboundAPI, ... */
    char date_created[40];
    long long duration_s; /* -1 absent (Twilio says null while recording) */
    int channels;         /* -1 absent */
};

/* Fetch a recording's metadata (RE + 32 hex). HL_ENOTFOUND when there is none. */
int rest_recording_fetch(struct rest_client *c, const char *recording_sid,
                         struct rest_recording *out, struct rest_reply *reply, struct hl_err *err);

/* What a download produced. */
struct rest_download {
    long long size_bytes;
    char sha256[65];       /* lowercase hex of the file */
    char content_type[64]; /* the final answer's Content-Type, "" when none */
};

/*
 * Download a recording's audio to path, whose directory must exist.
 *
 * The URL is recording_url (RecordingUrl of a webhook, or a recording's
 * "uri" made absolute) with ".wav" added to its path, unless the path
 * already ends in ".wav" or ".mp3". Its scheme, host and port must be
 * api_base's: credentials are sent only there, so any other URL is HL_EINVAL
 * ("recording URL is not on TWILIO_API_BASE") without a request. Redirects
 * are followed (at most 5, http/https only, e.g. to Twilio's media storage);
 * credentials are not sent to a redirect target on another host or port.
 *
 * The file is written atomically: a temporary file next to path (mode 0600)
 * that is renamed over path only when the whole answer arrived. On any
 * failure no file is left and an existing path is untouched. Over
 * media_max_bytes — whether announced by Content-Length or found while
 * streaming a chunked answer — is HL_ETOOLARGE. HL_ENOTFOUND for a 404,
 * HL_EIO when the file cannot be written. out (may be NULL) is filled on
 * HL_OK.
 */
int rest_recording_download(struct rest_client *c, const char *recording_url, const char *path,
                            struct rest_download *out, struct rest_reply *reply,
                            struct hl_err *err);

/* Delete a recording (RE + 32 hex); Twilio answers 204. HL_ENOTFOUND when there is none. */
int rest_recording_delete(struct rest_client *c, const char *recording_sid,
                          struct rest_reply *reply, struct hl_err *err);

#endif
