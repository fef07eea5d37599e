/*
 * sim_driver_verbs.c — what the call driver does with each TwiML verb, as
 * Twilio does it (https://www.twilio.com/docs/voice/twiml), against the
 * scripted caller:
 *
 *   Say       a transcript line; ~2.5 words a second of simulated time.
 *   Play      GETs the URL: a 2xx audio answer that starts like WAV (RIFF)
 *             or MP3 (ID3 or an MPEG frame) is "played"; anything else is an
 *             error line and the call goes on, as Twilio skips it.
 *   Pause     its length in simulated time.
 *   Gather    nested Say/Play/Pause first; then the caller's next input of a
 *             kind it accepts (digits for dtmf, speech for speech) goes to
 *             the action as Digits or SpeechResult+Confidence. With none,
 *             the next verb runs (or, with actionOnEmptyResult, the action
 *             gets an empty result).
 *   Record    the caller's next Say is synthesised (espeak-ng, 8 kHz) into a
 *             recording; the action gets RecordingUrl, RecordingSid,
 *             RecordingDuration and Digits (the key the caller pressed, or
 *             none when the script is over and the <Record> has no finishOnKey),
 *             recordingStatusCallback gets RecordingStatus=completed. With
 *             nothing said, Twilio makes no recording and goes on.
 *   Dial      the dialled party answers (or not: Dial=no-answer in the
 *             script); the action gets DialCallStatus.
 *   Redirect, Hangup, Reject; Message, Connect, Start, Stop, Enqueue and
 *   Leave are noted and skipped.
 *
 * With no action attribute, Gather and Record post to the current
 * document's URL, as Twilio does.
 */
#include "sim/sim_driver_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "core/buf.h"
#include "speech/espeak.h"
#include "core/banned.h"

enum { PLAY_TIMEOUT_MS = 10000, WAV_RATE = 8000 };

typedef enum sim_step (*verb_fn)(struct sim_drive *d, const struct sim_twiml_node *n);

static const char *action_of(const struct sim_drive *d, const struct sim_twiml_node *n)
{
    const char *action = sim_twiml_attr(n, "action");

    if (action && *action)
        return action;
    return d->doc_url ? d->doc_url : "";
}

static size_t words(const char *text)
{
    size_t n = 0;
    int in_word = 0;

    for (; *text; text++) {
        int space = *text == ' ';
        n += !space && !in_word;
        in_word = !space;
    }
    return n;
}

/* ---- Say, Play, Pause ------------------------------------------------------------------------ */

static enum sim_step verb_say(struct sim_drive *d, const struct sim_twiml_node *n)
{
    long loop = sim_twiml_attr_long(n, "loop", 1);

    if (!*n->text)
        return SIM_STEP_NEXT;
    if (loop > 1)
        sim_drive_line(d, "hotline", "%s (%ld times)", n->text, loop);
    else
        sim_drive_line(d, "hotline", "%s", n->text);
    d->sim_ms += (long)(words(n->text) * 400) * (loop > 1 ? loop : 1);
    return SIM_STEP_NEXT;
}

static int audio_header(const unsigned char *b, size_t len)
{
    if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WAVE", 4) == 0)
        return 1;
    if (len >= 3 && memcmp(b, "ID3", 3) == 0)
        return 1;
    return len >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0;
}

/* Milliseconds of audio: a WAV's data over its byte rate, else MP3 at 128 kbit/s. */
static long audio_ms(const unsigned char *b, size_t len)
{
    if (len >= 44 && memcmp(b, "RIFF", 4) == 0) {
        unsigned long rate = b[28] | (unsigned long)b[29] << 8 | (unsigned long)b[30] << 16 |
                             (unsigned long)b[31] << 24;
        return rate ? (long)((len - 44) * 1000 / rate) : 0;
    }
    return (long)(len / 16);
}

static enum sim_step verb_play(struct sim_drive *d, const struct sim_twiml_node *n)
{
    const char *digits = sim_twiml_attr(n, "digits");
    struct sim_answer ans;
    char *url;

    if (digits && *digits) {
        sim_drive_line(d, "hotline", "[plays digits %s]", digits);
        return SIM_STEP_NEXT;
    }
    if (!*n->text)
        return sim_drive_fail(d, SIM_ERR_SCHEMA, "Schema validation warning: <Play> has no URL");
    url = sim_drive_resolve(d, n->text);
    sim_drive_request(d, url, 1, NULL, PLAY_TIMEOUT_MS, &ans);
    if (ans.aborted)
        sim_drive_line(d, "twilio", "the emulator is stopping");
    else if (ans.status < 200 || ans.status > 299)
        sim_drive_line(d, "twilio", "could not play %s: %s", url,
                       ans.status ? "it answered with an error status" : "no answer");
    else if (!ans.content_type || strncasecmp(ans.content_type, "audio/", 6) != 0)
        sim_drive_line(d, "twilio", "could not play %s: Content-Type %s is not audio", url,
                       ans.content_type ? ans.content_type : "(none)");
    else if (!audio_header((const unsigned char *)ans.body, ans.body_len))
        sim_drive_line(d, "twilio", "could not play %s: not WAV or MP3 audio", url);
    else {
        sim_drive_line(d, "hotline", "[plays audio, %zu bytes]", ans.body_len);
        d->sim_ms += audio_ms((const unsigned char *)ans.body, ans.body_len);
    }
    sim_answer_release(&ans);
    free(url);
    return SIM_STEP_NEXT;
}

/*
 * A pause passes in simulated time, but also waits a little real time (at
 * most PAUSE_REAL_MS) so that what the server does meanwhile — audio
 * rendered, then the live call redirected through the REST API — can
 * happen, as it would during a real pause.
 */
enum { PAUSE_REAL_MS = 1000, PAUSE_POLL_MS = 20 };

static enum sim_step verb_pause(struct sim_drive *d, const struct sim_twiml_node *n)
{
    long len = sim_twiml_attr_long(n, "length", 1), waited;
    struct timespec poll = {0, PAUSE_POLL_MS * 1000000L};
    enum sim_step step = SIM_STEP_NEXT;

    sim_drive_line(d, "hotline", "[pause %ld s]", len);
    for (waited = 0; waited < len * 1000 && waited < PAUSE_REAL_MS; waited += PAUSE_POLL_MS) {
        if ((step = sim_drive_redirected(d)) != SIM_STEP_NEXT || sim_drive_over(d))
            break;
        nanosleep(&poll, NULL);
    }
    d->sim_ms += step == SIM_STEP_NEXT ? len * 1000 : waited;
    return step;
}

/* ---- Gather ---------------------------------------------------------------------------------- */

static unsigned gather_kinds(const struct sim_twiml_node *n)
{
    const char *input = sim_twiml_attr(n, "input");
    unsigned kinds = 0;

    if (!input || strstr(input, "dtmf"))
        kinds |= SIM_IN_DIGITS;
    if (input && strstr(input, "speech"))
        kinds |= SIM_IN_SPEECH | SIM_IN_SAY;
    return kinds;
}

/* The digits as Gather collects them: up to numDigits, ending at finishOnKey. */
static void gather_digits(const struct sim_twiml_node *n, const char *pressed, char *out,
                          size_t size)
{
    const char *finish = sim_twiml_attr(n, "finishOnKey");
    long max = sim_twiml_attr_long(n, "numDigits", 0);
    size_t len = strcspn(pressed, finish ? finish : "#");

    if (finish && !*finish)
        len = strlen(pressed);
    if (max > 0 && (size_t)max < len)
        len = (size_t)max;
    snprintf(out, size, "%.*s", (int)len, pressed);
}

static enum sim_step gather_input(struct sim_drive *d, const struct sim_twiml_node *n,
                                  const struct sim_script_item *item)
{
    struct sim_params extra = SIM_PARAMS_INIT;
    char digits[SIM_SCRIPT_MAX_TEXT + 1];

    if (item->kind == SIM_IN_DIGITS) {
        sim_drive_line(d, "caller", "presses %s", item->text);
        gather_digits(n, item->text, digits, sizeof(digits));
        sim_params_add(&extra, "Digits", digits);
        d->sim_ms += 1000;
    } else {
        sim_drive_line(d, "caller", "says \"%s\"", item->text);
        sim_params_add(&extra, "SpeechResult", item->text);
        sim_params_add(&extra, "Confidence", "0.9");
        d->sim_ms += (long)words(item->text) * 400 + 1000;
    }
    return sim_drive_goto(d, action_of(d, n), sim_twiml_attr(n, "method"), &extra);
}

static enum sim_step verb_gather(struct sim_drive *d, const struct sim_twiml_node *n)
{
    static const verb_fn nested[] = {[SIM_V_SAY] = verb_say, [SIM_V_PLAY] = verb_play,
                                     [SIM_V_PAUSE] = verb_pause};
    const struct sim_twiml_node *c;
    const struct sim_script_item *item;
    struct sim_params extra = SIM_PARAMS_INIT;

    for (c = n->child; c; c = c->next)
        if (c->verb < HL_ARRAY_LEN(nested) && nested[c->verb] &&
            nested[c->verb](d, c) != SIM_STEP_NEXT)
            return SIM_STEP_END;
    if ((item = sim_script_take(&d->script, gather_kinds(n))))
        return gather_input(d, n, item);
    sim_drive_line(d, "caller", "(no input)");
    d->sim_ms += sim_twiml_attr_long(n, "timeout", 5) * 1000;
    if (!sim_twiml_attr_bool(n, "actionOnEmptyResult", 0))
        return SIM_STEP_NEXT;
    sim_params_add(&extra, "Digits", "");
    return sim_drive_goto(d, action_of(d, n), sim_twiml_attr(n, "method"), &extra);
}

/* ---- Record ---------------------------------------------------------------------------------- */

/* A tone of the speech's length: what a recording holds until espeak-ng is there. */
static void tone_wav(struct buf *wav, const char *text)
{
    size_t samples = (words(text) * 400 + 600) * WAV_RATE / 1000, i;
    unsigned char h[44];
    unsigned long data = (unsigned long)samples * 2;

    memcpy(h, "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0"
              "data\0\0\0\0",
           44);
    for (i = 0; i < 4; i++) {
        h[4 + i] = (unsigned char)((data + 36) >> (8 * i));
        h[40 + i] = (unsigned char)(data >> (8 * i));
    }
    buf_add(wav, h, sizeof(h));
    for (i = 0; i < samples; i++) {
        int v = (int)(8000.0 * sin(2.0 * 3.14159265358979 * 440.0 * (double)i / WAV_RATE));
        unsigned char s[2] = {(unsigned char)(v & 0xFF), (unsigned char)((v >> 8) & 0xFF)};
        buf_add(wav, s, 2);
    }
}

/* The caller's words as 8 kHz WAV; its length in seconds (at least 1). */
static long synth(const char *text, struct buf *wav)
{
    struct hl_err err = {0};
    long ms;

    if (espeak_synth_wav(NULL, text, WAV_RATE, wav, &err) != HL_OK || wav->len < 44) {
        buf_reset(wav);
        tone_wav(wav, text);
    }
    ms = audio_ms((const unsigned char *)wav->ptr, wav->len);
    return ms < 1000 ? 1 : (ms + 500) / 1000;
}

/*
 * Digits for the action: the key the caller presses next in the script; with
 * the script over, the caller ends the message the way the <Record> asks
 * (its finishOnKey) or falls silent until its timeout (no Digits), and stays
 * on the line to hear what follows.
 */
static const char *record_end(struct sim_drive *d, const struct sim_twiml_node *n, char key[2])
{
    const char *finish = sim_twiml_attr(n, "finishOnKey");
    const struct sim_script_item *item = sim_script_take(&d->script, SIM_IN_DIGITS);

    if (item) {
        sim_drive_line(d, "caller", "presses %s", item->text);
        key[0] = item->text[0];
        key[1] = '\0';
        return key;
    }
    if (sim_script_done(&d->script) && (!finish || !*finish)) {
        sim_drive_line(d, "caller", "falls silent");
        return NULL;
    }
    finish = finish ? finish : "1234567890*#";
    key[0] = *finish;
    key[1] = '\0';
    if (*finish)
        sim_drive_line(d, "caller", "presses %s", key);
    return *finish ? key : NULL;
}

static void record_status_callback(struct sim_drive *d, const struct sim_twiml_node *n,
                                   const char *rec_sid, const char *rec_url, const char *secs)
{
    const char *cb = sim_twiml_attr(n, "recordingStatusCallback");
    const char *method = sim_twiml_attr(n, "recordingStatusCallbackMethod");
    struct sim_params p = SIM_PARAMS_INIT;
    char date[SIM_DATE_SIZE];
    char *url;

    if (!cb || !*cb)
        return;
    sim_date_format(date, sim_now());
    sim_params_add(&p, "AccountSid", d->sim->account.sid);
    sim_params_add(&p, "CallSid", d->sid);
    sim_params_add(&p, "RecordingSid", rec_sid);
    sim_params_add(&p, "RecordingUrl", rec_url);
    sim_params_add(&p, "RecordingStatus", "completed");
    sim_params_add(&p, "RecordingDuration", secs);
    sim_params_add(&p, "RecordingChannels", "1");
    sim_params_add(&p, "RecordingStartTime", date);
    sim_params_add(&p, "RecordingSource", "RecordVerb");
    sim_params_add(&p, "RecordingTrack", "inbound");
    sim_params_add(&p, "ErrorCode", "0");
    url = sim_drive_resolve(d, cb);
    sim_drive_notify(d, url, method && strcasecmp(method, "GET") == 0, &p);
    free(url);
}

/* Store the recording; rec_sid gets its SID. */
static int record_store(struct sim_drive *d, const char *text, long max_s, char rec_sid[35],
                        long *secs)
{
    struct buf wav = BUF_INIT(SIM_MAX_RECORDING_BYTES);
    struct hl_err err = {0};
    int rc;

    *secs = synth(text, &wav);
    if (max_s > 0 && *secs > max_s)
        *secs = max_s;
    rc = sim_recording_add(d->sim, d->sid, wav.ptr, wav.len, *secs, rec_sid, &err);
    buf_release(&wav);
    if (rc != HL_OK)
        sim_drive_line(d, "twilio", "the recording could not be kept: %s", err.msg);
    return rc;
}

/* {self_base}/2010-04-01/Accounts/AC.../Recordings/RE... (heap), as Twilio gives it: no extension. */
static char *recording_url(struct sim_drive *d, const char *rec_sid)
{
    size_t n;
    char *url;

    pthread_mutex_lock(&d->sim->lock);
    n = strlen(d->sim->self_base) + 128;
    url = hl_malloc(n);
    snprintf(url, n, "%s/2010-04-01/Accounts/%s/Recordings/%s", d->sim->self_base,
             d->sim->account.sid, rec_sid);
    pthread_mutex_unlock(&d->sim->lock);
    return url;
}

static enum sim_step verb_record(struct sim_drive *d, const struct sim_twiml_node *n)
{
    const struct sim_script_item *item;
    struct sim_params extra = SIM_PARAMS_INIT;
    char rec_sid[SIM_SID_SIZE], secs[24], key[2];
    const char *digits;
    char *rec_url;
    long len;

    if (sim_twiml_attr_bool(n, "playBeep", 1))
        sim_drive_line(d, "twilio", "(beep)");
    if (!(item = sim_script_take(&d->script, SIM_IN_SAY | SIM_IN_SPEECH))) {
        sim_drive_line(d, "caller", "(says nothing)");
        d->sim_ms += sim_twiml_attr_long(n, "timeout", 5) * 1000;
        return SIM_STEP_NEXT;
    }
    sim_drive_line(d, "caller", "says \"%s\"", item->text);
    if (record_store(d, item->text, sim_twiml_attr_long(n, "maxLength", 3600), rec_sid, &len))
        return SIM_STEP_NEXT;
    d->sim_ms += len * 1000;
    snprintf(secs, sizeof(secs), "%ld", len);
    sim_drive_line(d, "twilio", "recording %ld s (%s)", len, rec_sid);
    rec_url = recording_url(d, rec_sid);
    digits = record_end(d, n, key);
    record_status_callback(d, n, rec_sid, rec_url, secs);
    sim_params_add(&extra, "RecordingUrl", rec_url);
    sim_params_add(&extra, "RecordingSid", rec_sid);
    sim_params_add(&extra, "RecordingDuration", secs);
    sim_params_add(&extra, "Digits", digits);
    free(rec_url);
    return sim_drive_goto(d, action_of(d, n), sim_twiml_attr(n, "method"), &extra);
}

/* ---- Dial, Redirect, Hangup, Reject, the rest ------------------------------------------------ */

static const char *dial_status(struct sim_drive *d)
{
    static const char *const known[] = {"completed", "busy", "no-answer", "failed", "canceled"};
    const struct sim_script_item *item = sim_script_take(&d->script, SIM_IN_DIAL);
    size_t i;

    for (i = 0; item && i < HL_ARRAY_LEN(known); i++)
        if (strcmp(item->text, known[i]) == 0)
            return known[i];
    return "completed";
}

static enum sim_step verb_dial(struct sim_drive *d, const struct sim_twiml_node *n)
{
    const struct sim_twiml_node *target = n->child ? n->child : n;
    const char *status = dial_status(d), *action = sim_twiml_attr(n, "action");
    struct sim_params extra = SIM_PARAMS_INIT;
    char dial_sid[SIM_SID_SIZE] = "CA00000000000000000000000000000000";
    long secs = strcmp(status, "completed") == 0 ? 10 : 0;
    char num[24];

    sim_drive_line(d, "hotline", "dials %s%s", target->text,
                   n->child && n->child->next ? " (and others)" : "");
    sim_drive_line(d, "twilio", "dial %s%s", status, secs ? " (10 s)" : "");
    d->sim_ms += secs ? secs * 1000 : sim_twiml_attr_long(n, "timeout", 30) * 1000;
    if (!action || !*action)
        return SIM_STEP_NEXT;
    (void)sim_sid_new(dial_sid, "CA");
    snprintf(num, sizeof(num), "%ld", secs);
    sim_params_add(&extra, "DialCallStatus", status);
    sim_params_add(&extra, "DialCallSid", dial_sid);
    sim_params_add(&extra, "DialCallDuration", num);
    return sim_drive_goto(d, action, sim_twiml_attr(n, "method"), &extra);
}

static enum sim_step verb_redirect(struct sim_drive *d, const struct sim_twiml_node *n)
{
    if (!*n->text)
        return sim_drive_fail(d, SIM_ERR_SCHEMA, "Schema validation warning: <Redirect> has "
                                                 "no URL");
    sim_drive_line(d, "twilio", "redirect to %s", n->text);
    return sim_drive_goto(d, n->text, sim_twiml_attr(n, "method"), NULL);
}

static enum sim_step verb_hangup(struct sim_drive *d, const struct sim_twiml_node *n)
{
    (void)n;
    sim_drive_line(d, "hotline", "hangs up");
    return SIM_STEP_END;
}

/* Twilio: reason "busy" plays a busy signal; "rejected" (the default) ends the call as failed. */
static enum sim_step verb_reject(struct sim_drive *d, const struct sim_twiml_node *n)
{
    const char *reason = sim_twiml_attr(n, "reason");

    d->end_status = reason && strcmp(reason, "busy") == 0 ? "busy" : "failed";
    sim_drive_line(d, "hotline", "rejects the call (%s)", reason ? reason : "rejected");
    d->sim_ms = 0;
    return SIM_STEP_END;
}

static enum sim_step verb_note(struct sim_drive *d, const struct sim_twiml_node *n)
{
    if (n->verb == SIM_V_MESSAGE)
        sim_drive_line(d, "twilio", "<Message> in a voice call: ignored (%s)", n->text);
    else
        sim_drive_line(d, "twilio", "<%s>: stream not emulated, skipped", n->name);
    return SIM_STEP_NEXT;
}

static const verb_fn verbs[SIM_V_COUNT] = {
    [SIM_V_SAY] = verb_say,         [SIM_V_PLAY] = verb_play,       [SIM_V_PAUSE] = verb_pause,
    [SIM_V_GATHER] = verb_gather,   [SIM_V_RECORD] = verb_record,   [SIM_V_DIAL] = verb_dial,
    [SIM_V_REDIRECT] = verb_redirect, [SIM_V_HANGUP] = verb_hangup, [SIM_V_REJECT] = verb_reject,
    [SIM_V_MESSAGE] = verb_note,    [SIM_V_CONNECT] = verb_note,    [SIM_V_START] = verb_note,
    [SIM_V_STOP] = verb_note,       [SIM_V_ENQUEUE] = verb_note,    [SIM_V_LEAVE] = verb_note,
};

enum sim_step sim_drive_execute(struct sim_drive *d, const struct sim_twiml_node *root)
{
    const struct sim_twiml_node *n;
    enum sim_step step;

    for (n = root->child; n; n = n->next) {
        if (sim_drive_over(d))
            return SIM_STEP_END;
        if (!verbs[n->verb])
            continue; /* the parser lets only top-level verbs through: nothing else gets here */
        if ((step = sim_drive_redirected(d)) != SIM_STEP_NEXT)
            return step;
        step = verbs[n->verb](d, n);
        if (step != SIM_STEP_NEXT)
            return step;
    }
    return SIM_STEP_END;
}
