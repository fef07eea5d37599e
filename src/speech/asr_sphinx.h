/*
 * asr_sphinx.h — PocketSphinx's headers, included once with their warnings
 * silenced (private to src/speech/asr_sphinx.c).
 */
#ifndef HL_SPEECH_ASR_SPHINX_H
#define HL_SPEECH_ASR_SPHINX_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/ngram_model.h>
#pragma GCC diagnostic pop

#endif
