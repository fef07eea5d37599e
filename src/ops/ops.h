/*
 * ops.h — operations endpoints and the self-test: how a person (or a load
 * balancer) learns that hotline is healthy and how it is configured.
 *
 * The self-test is shared by GET /twilio/test and `hotline check`.
 */
#ifndef HL_OPS_H
#define HL_OPS_H

#include <jansson.h>

#include "app/app.h"

/* GET /health: {"ok":true}. */
void ops_health(struct app_request *r);

/* GET /twilio/config: what is configured, as booleans and public URLs; never a secret. */
void ops_config(struct app_request *r);

/* What GET /twilio/config answers (strings in a); the caller owns the reference. */
json_t *ops_config_json(const struct app *app, struct arena *a);

/* GET /twilio/test: the self-test as JSON. */
void ops_test(struct app_request *r);

/*
 * Run every check; returns {"passed":N,"failed":M,"tests":[{"test":..,"status":"pass"|"fail",
 * "detail":..}]}. The caller owns the reference.
 */
json_t *ops_selftest(const struct app *app);

#endif
