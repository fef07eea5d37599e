/*
 * builtin.c — the five guides as flows, compiled in.
 *
 * Each is an ordinary flow document (docs/flows.md), read and checked by
 * flow_parse() at start-up like any file; a file with the same name in
 * FLOWS_DIR replaces it.
 */
#include "flows/flows_internal.h"

#include "core/banned.h"

/* Guide 000: an IVR menu spoken with TTS voices; anything else is "Invalid option." */
static const char ivr_tts[] =
    "{\"name\":\"ivr-tts\",\"start\":\"menu\",\"steps\":{"
    "\"menu\":{\"kind\":\"gather\",\"input\":\"dtmf\",\"numDigits\":1,\"timeout\":6,\"tts\":true,"
    "\"voice\":\"naija_female\","
    "\"prompt\":\"Welcome to {business_name}. Press 1 for English. Press 2 for Pidgin.\","
    "\"branches\":[{\"digits\":\"1\",\"next\":\"english\"},{\"digits\":\"2\",\"next\":\"pidgin\"}],"
    "\"invalid\":\"Invalid option.\",\"retries\":3,\"fallback\":\"goodbye\"},"
    "\"english\":{\"kind\":\"tts\",\"voice\":\"naija_female\","
    "\"text\":\"You selected English. How can we help you today?\",\"next\":\"message\"},"
    "\"pidgin\":{\"kind\":\"tts\",\"voice\":\"naija_male\","
    "\"text\":\"You select Pidgin. Wetin we fit do for you?\",\"next\":\"message\"},"
    "\"message\":{\"kind\":\"record\",\"maxLength\":60,\"finishOnKey\":\"#\",\"pipeline\":\"analyze\","
    "\"next\":\"goodbye\"},"
    "\"goodbye\":{\"kind\":\"hangup\",\"text\":\"Thank you for calling {business_name}. Goodbye.\"}"
    "}}";

/* Guide 001: the AI receptionist — greet, record 30 s, book and reply on WhatsApp. */
static const char receptionist[] =
    "{\"name\":\"receptionist\",\"start\":\"greeting\",\"steps\":{"
    "\"greeting\":{\"kind\":\"say\",\"voice\":\"Polly.Joanna\","
    "\"text\":\"Hello! I'm the receptionist at {business_name}. How can I help you today?\","
    "\"next\":\"request\"},"
    "\"request\":{\"kind\":\"record\",\"maxLength\":30,\"timeout\":5,\"playBeep\":true,"
    "\"pipeline\":\"receptionist\",\"next\":\"thanks\"},"
    "\"thanks\":{\"kind\":\"hangup\",\"text\":\"Thank you. We will reply on WhatsApp shortly. "
    "Goodbye.\"}"
    "}}";

/* Guide 002: the CRM backend — greet, record, transcribe and analyse. */
static const char record_analyze[] =
    "{\"name\":\"record-analyze\",\"start\":\"greeting\",\"steps\":{"
    "\"greeting\":{\"kind\":\"say\","
    "\"text\":\"Thank you for calling {business_name}. This call is recorded. Please tell us how "
    "we can help after the beep.\",\"next\":\"message\"},"
    "\"message\":{\"kind\":\"record\",\"maxLength\":120,\"timeout\":5,\"pipeline\":\"analyze\","
    "\"next\":\"thanks\"},"
    "\"thanks\":{\"kind\":\"hangup\",\"text\":\"Thank you. Goodbye.\"}"
    "}}";

/* Guide 003: consent-gated outbound call — who and why first, then consent, then the ask. */
static const char outbound_consent[] =
    "{\"name\":\"outbound-consent\",\"start\":\"identify\",\"steps\":{"
    "\"identify\":{\"kind\":\"say\",\"text\":\"Hello. This is {company_name} "
    "calling {call_purpose}.\",\"next\":\"consent\"},"
    "\"consent\":{\"kind\":\"consent\",\"prompt\":\"For quality assurance, may I record this call? "
    "You can say yes or no.\",\"yes\":\"recorded\",\"no\":\"demo\",\"retries\":1},"
    "\"recorded\":{\"kind\":\"say\",\"text\":\"Thank you. We'd like to invite you to a brief "
    "discovery meeting. Would you be interested in scheduling this meeting? Please answer after "
    "the beep.\",\"next\":\"answer\"},"
    "\"answer\":{\"kind\":\"record\",\"maxLength\":30,\"timeout\":4,\"pipeline\":\"analyze\","
    "\"next\":\"thanks\"},"
    "\"demo\":{\"kind\":\"gather\",\"input\":\"speech\",\"timeout\":5,"
    "\"prompt\":\"Thank you. We'd like to invite you to a brief discovery meeting. Would you be "
    "interested in scheduling this meeting?\","
    "\"branches\":[{\"keywords\":[\"yes\",\"sure\",\"interested\",\"okay\"],\"next\":\"thanks\"}],"
    "\"default\":\"thanks\",\"retries\":0,\"fallback\":\"thanks\"},"
    "\"thanks\":{\"kind\":\"hangup\",\"text\":\"Thank you for your time. Goodbye.\"}"
    "}}";

/* Guide 004: encrypted voicemail — greet, record until #, thank. */
static const char voicemail[] =
    "{\"name\":\"voicemail\",\"start\":\"greeting\",\"steps\":{"
    "\"greeting\":{\"kind\":\"say\",\"text\":\"{voice_greeting}\",\"next\":\"message\"},"
    "\"message\":{\"kind\":\"record\",\"maxLength\":120,\"finishOnKey\":\"#\",\"playBeep\":true,"
    "\"pipeline\":\"memo\",\"next\":\"thanks\"},"
    "\"thanks\":{\"kind\":\"hangup\",\"text\":\"{voice_thanks}\"}"
    "}}";

const char *const flow_builtin_names[] = {"ivr-tts", "receptionist", "record-analyze",
                                          "outbound-consent", "voicemail", NULL};

const struct flow_builtin flow_builtins[] = {
    {"ivr-tts", ivr_tts},
    {"receptionist", receptionist},
    {"record-analyze", record_analyze},
    {"outbound-consent", outbound_consent},
    {"voicemail", voicemail},
};

const size_t flow_builtins_count = HL_ARRAY_LEN(flow_builtins);
