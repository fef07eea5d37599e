/*
 * cmd_contacts.c — `hotline contacts import FILE.csv`: the people flows
 * greet by name ({contact.name}, {contact.<field>}).
 *
 * The first line names the columns; one must be "phone" (E.164), "name" is
 * the contact's name and every other column becomes a field. Quoted values
 * may hold commas, quotes ("") and line breaks, as RFC 4180 writes them.
 * A bad line is reported with its number and skipped; the rest is kept.
 *
 * `hotline contacts erase PHONE` erases everything stored about a number
 * through the API's own path (erasure.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/runtime.h"
#include "core/mask.h"
#include "core/phone.h"
#include "erasure/erasure.h"
#include "core/banned.h"

enum { CSV_MAX_FIELDS = 64, CSV_MAX_VALUE = 4096 };

struct csv_row {
    char *values[CSV_MAX_FIELDS];
    size_t count;
};

static void row_release(struct csv_row *row)
{
    size_t i;

    for (i = 0; i < row->count; i++)
        free(row->values[i]);
    row->count = 0;
}

/* One value; *end is set at the end of the record. Returns 0 at EOF before any byte. */
static int read_value(FILE *in, char *buf, int *end, int *line)
{
    size_t n = 0;
    int c = fgetc(in), quoted = c == '"';

    if (c == EOF)
        return 0;
    if (!quoted)
        ungetc(c, in);
    *end = 0;
    while ((c = fgetc(in)) != EOF) {
        if (quoted && c == '"') {
            if ((c = fgetc(in)) != '"') {
                quoted = 0;
                if (c == EOF)
                    break;
            }
        }
        if (!quoted && (c == ',' || c == '\n'))
            break;
        if (c == '\n')
            (*line)++;
        if (c != '\r' && n + 1 < CSV_MAX_VALUE)
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
    *end = c == '\n' || c == EOF;
    if (c == '\n')
        (*line)++;
    return 1;
}

static int read_row(FILE *in, struct csv_row *row, int *line)
{
    char buf[CSV_MAX_VALUE];
    int end = 0;

    row_release(row);
    while (!end && read_value(in, buf, &end, line))
        if (row->count < CSV_MAX_FIELDS)
            row->values[row->count++] = hl_strdup(buf);
    return row->count > 0;
}

static int column(const struct csv_row *head, const char *name)
{
    size_t i;

    for (i = 0; i < head->count; i++)
        if (strcmp(head->values[i], name) == 0)
            return (int)i;
    return -1;
}

/* Store one row; 0 on success, after printing what is wrong otherwise. */
static int import_row(struct store *s, const struct csv_row *head, const struct csv_row *row,
                      int phone_col, int name_col, int line)
{
    struct store_contact c = {0};
    json_t *fields = json_object();
    struct hl_err err = {0};
    char *text;
    size_t i;
    int rc;

    for (i = 0; i < row->count && i < head->count; i++)
        if ((int)i != phone_col && (int)i != name_col && row->values[i][0])
            json_object_set_new(fields, head->values[i], json_string(row->values[i]));
    c.phone = (size_t)phone_col < row->count ? row->values[phone_col] : "";
    c.name = name_col >= 0 && (size_t)name_col < row->count ? row->values[name_col] : NULL;
    text = json_dumps(fields, JSON_COMPACT);
    c.fields_json = text;
    if (!phone_is_e164(c.phone)) {
        fprintf(stderr, "hotline: contacts: line %d: phone is not an E.164 number; skipped\n", line);
        rc = 1;
    } else if ((rc = store_contact_put(s, &c, &err)) != HL_OK) {
        fprintf(stderr, "hotline: contacts: line %d: %s\n", line, err.msg);
    }
    free(text);
    json_decref(fields);
    return rc != HL_OK;
}

static int import_file(struct store *s, FILE *in, const char *path)
{
    struct csv_row head = {{0}, 0}, row = {{0}, 0};
    int line = 1, phone_col, name_col, ok = 0, bad = 0, row_line;

    if (!read_row(in, &head, &line) || (phone_col = column(&head, "phone")) < 0) {
        fprintf(stderr, "hotline: contacts: %s: the first line must name a \"phone\" column\n",
                path);
        row_release(&head);
        return 2;
    }
    name_col = column(&head, "name");
    while ((row_line = line, read_row(in, &row, &line)))
        import_row(s, &head, &row, phone_col, name_col, row_line) ? bad++ : ok++;
    printf("contacts: %d imported, %d skipped\n", ok, bad);
    row_release(&head);
    row_release(&row);
    return bad ? 1 : 0;
}

/* `contacts erase PHONE`: the API's erasure, from the command line. */
static int erase_number(const char *phone)
{
    struct erasure_report r;
    struct runtime rt;
    struct hl_err err = {0};
    char masked[MASK_PHONE_MAX];
    int rc;

    if (!phone_is_e164(phone)) {
        fprintf(stderr, "hotline: contacts: PHONE must be an E.164 number such as +14155551234\n");
        return 2;
    }
    if ((rc = runtime_open(&rt, RUNTIME_MIGRATE)) != 0)
        return rc;
    mask_phone(phone, masked);
    rc = erasure_phone(&rt.app, phone, &r, &err);
    if (rc == HL_OK)
        printf("erased %s: %lld calls, %lld call events, %lld recordings, %lld transcriptions, "
               "%lld memos, %lld messages, %lld bookings, %lld contacts, %lld jobs; "
               "%lld files removed, %lld Twilio recordings deleted, %lld left to the cleanup "
               "job%s\n",
               masked, r.erased.calls, r.erased.call_events, r.erased.recordings,
               r.erased.transcriptions, r.erased.memos, r.erased.messages, r.erased.bookings,
               r.erased.contacts, r.erased.jobs, r.files_removed, r.twilio_deleted, r.left,
               r.erased.optout_kept ? "; the opt-out is kept as a keyed hash" : "");
    else
        fprintf(stderr, "hotline: contacts: %s\n",
                rc == HL_ENOTFOUND ? "nothing is stored about this number" : err.msg);
    runtime_close(&rt);
    return rc == HL_OK ? 0 : 1;
}

int cmd_contacts(int argc, char **argv)
{
    struct runtime rt;
    FILE *in;
    int rc;

    if (argc == 3 && strcmp(argv[1], "erase") == 0)
        return erase_number(argv[2]);
    if (argc != 3 || strcmp(argv[1], "import") != 0) {
        fputs(cli_find("contacts")->usage, stderr);
        return 2;
    }
    if (!(in = fopen(argv[2], "r"))) {
        fprintf(stderr, "hotline: contacts: cannot open %s\n", argv[2]);
        return 2;
    }
    if ((rc = runtime_open(&rt, RUNTIME_MIGRATE)) == 0) {
        rc = import_file(rt.app.store, in, argv[2]);
        runtime_close(&rt);
    }
    fclose(in);
    return rc;
}
