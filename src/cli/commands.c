/*
 * commands.c — the table of subcommands and what every command shares.
 */
#include "cli/cli.h"

#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/banned.h"

static const struct cli_command commands[] = {
    {"serve", cmd_serve, "answer Twilio's webhooks and serve the API",
     "usage: hotline serve\n\n"
     "Serves on HOST:PORT until SIGTERM or SIGINT, then finishes the requests in\n"
     "flight and stops. Applies pending database migrations first.\n"},
    {"sim", cmd_sim, "the built-in Twilio emulator (serve it alone; simulate a phone)",
     "usage: hotline sim serve [--port N]\n"
     "       hotline sim sms --from +1... [--to +1...] [--whatsapp] TEXT\n"
     "       hotline sim call [--flow NAME] [--from +1...] [--to +1...] [--url URL]\n"
     "                        [--digits 1] [--speech TEXT] [--say TEXT] [--dial STATUS] ...\n\n"
     "serve  runs the emulator's Twilio REST API alone on SIM_PORT (default 8081); point\n"
     "       TWILIO_API_BASE at it. `hotline serve` already includes it when no Twilio\n"
     "       account is configured.\n"
     "sms    a phone texts the business: the emulator delivers the message to hotline as\n"
     "       a signed webhook and prints hotline's reply.\n"
     "call   a phone calls the business: the emulator runs hotline's TwiML with a scripted\n"
     "       caller (--digits, --speech, --say for <Record>, --dial no-answer; repeatable,\n"
     "       in order) and prints the conversation. Exit 1 if the call ends with an error.\n"},
    {"call", cmd_call, "place an outbound call (as POST /api/calls does)",
     "usage: hotline call +15551234567 [--message TEXT] [--flow NAME] [--record]\n\n"
     "Stores the call, asks Twilio (or the emulator) to place it and prints its SID and\n"
     "status. --message is said to the callee; --flow runs a built-in flow instead.\n"},
    {"sms", cmd_sms, "send an SMS or WhatsApp message (as POST /api/messages does)",
     "usage: hotline sms +15551234567 TEXT [--whatsapp]\n\n"
     "Stores the message, sends it through Twilio (or the emulator) and prints its SID\n"
     "and status. Opted-out numbers are refused.\n"},
    {"demo", cmd_demo, "run every built-in flow end to end against the emulator",
     "usage: hotline demo\n\n"
     "Starts a server and its emulator on a free port with a temporary database, plays a\n"
     "scripted caller through each built-in flow, prints each conversation, and exits 1\n"
     "if any flow did not reach its end. Needs nothing configured; reads no .env.\n"},
    {"contacts", cmd_contacts, "import contacts; erase everything stored about a number",
     "usage: hotline contacts import FILE.csv\n"
     "       hotline contacts erase PHONE\n\n"
     "import: the first line names the columns: \"phone\" (E.164) is required, \"name\"\n"
     "fills {contact.name} and every other column a {contact.<column>} of flow texts. A\n"
     "contact already known is replaced.\n"
     "erase: remove every call, message, recording, transcript, memo, booking, job and\n"
     "contact of PHONE (E.164) and their files, as DELETE /api/contacts/{phone} does; an\n"
     "opt-out is kept as the number's keyed hash. Exit 0 erased, 1 nothing stored or a\n"
     "failure, 2 wrong usage.\n"},
    {"jobs", cmd_jobs, "list, show and retry background jobs",
     "usage: hotline jobs list [--state queued|running|done|failed] [--limit N]\n"
     "       hotline jobs show ID\n"
     "       hotline jobs retry ID\n\n"
     "Background jobs (the recording pipeline) live in the database. show prints a job\n"
     "with its finished stages; retry puts a failed job back in the queue.\n"},
    {"memo", cmd_memo, "decrypt an encrypted memo from its link, or show the link as a QR code",
     "usage: hotline memo decrypt LINK [-o FILE] [--meta]\n"
     "       hotline memo qr LINK [--ansi] [--invert]\n\n"
     "decrypt  opens the memo LINK (.../voice/ID#KEY) names, in MEDIA_DIR, and writes its audio\n"
     "         to FILE (mode 0600) or to stdout when that is not a terminal; the transcript\n"
     "         and analysis JSON go to stderr, or to stdout with --meta. Exit 1 on a wrong key.\n"
     "qr       prints LINK as a QR code (UTF-8 half blocks; --invert for light terminals,\n"
     "         --ansi for colour cells). docs/memo-format.md describes the files.\n"},
    {"migrate", cmd_migrate, "apply pending database migrations",
     "usage: hotline migrate\n\nBrings the database at DATABASE_URL to the current schema.\n"},
    {"check", cmd_check, "run the self-test (as GET /twilio/test does)",
     "usage: hotline check\n\nPrints the self-test as JSON; exits 1 if any check failed.\n"},
    {"version", cmd_version, "print the version", "usage: hotline version\n"},
    {"help", cmd_help, "show this help, or a command's", "usage: hotline help [COMMAND]\n"},
};

const struct cli_command *cli_find(const char *name)
{
    size_t i;

    for (i = 0; i < HL_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

void cli_print_help(FILE *out)
{
    size_t i;

    fprintf(out,
            "hotline %s — a self-hosted application server for Twilio voice and messages\n\n"
            "usage: hotline <command> [options]\n\ncommands:\n",
            HL_VERSION);
    for (i = 0; i < HL_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nconfiguration (environment, or .env in the working directory):\n");
    config_describe(out);
    fprintf(out, "\n`hotline <command> --help` describes one command.\n");
}

int cli_wants_help(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

int cli_load_config(struct config *cfg)
{
    struct hl_err err = {0};
    int level;

    if (config_load(cfg, ".env", &err) != HL_OK) {
        fprintf(stderr, "hotline: configuration: %s\n", err.msg);
        return 2;
    }
    level = log_level_parse(cfg->log_level);
    log_setup(level < 0 ? LOG_INFO : (enum log_level)level,
              strcmp(cfg->log_format, "text") == 0 ? LOG_TEXT : LOG_JSON, STDERR_FILENO);
    config_each_secret(cfg, log_add_secret);
    return 0;
}

int cmd_help(int argc, char **argv)
{
    const struct cli_command *cmd = argc > 1 ? cli_find(argv[1]) : NULL;

    if (argc > 1 && !cmd) {
        fprintf(stderr, "hotline: no command \"%s\"; `hotline help` lists them\n", argv[1]);
        return 2;
    }
    if (cmd)
        fputs(cmd->usage, stdout);
    else
        cli_print_help(stdout);
    return 0;
}

int cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("hotline %s\n", HL_VERSION);
    return 0;
}
