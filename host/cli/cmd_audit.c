/*
 * cmd_audit.c - `skillhost audit verify|tail|query`: check and read the
 * audit log (audit.h has the format, auditchain.h the checks).
 */
#include <cjson/cJSON.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "auditchain.h"
#include "commands.h"
#include "fsutil.h"
#include "minisig.h"

/* The exit code of a log that fails verification. */
#define EXIT_TAMPERED 3
/* Rotation caps files far below this. */
#define FILE_CAP (1024ull * 1024 * 1024)

static void help(void)
{
	puts("usage: skillhost audit verify [--key PUBKEY] [--json] [FILE...]\n"
	     "       skillhost audit tail [-n N] [--json]\n"
	     "       skillhost audit query [--since TIME] [--principal P] "
	     "[--tool T] [--json]\n"
	     "\n"
	     "Every tool call is one line of <home>/logs/audit.jsonl: who "
	     "called\n(principal), which skill version and package digest, "
	     "a hash of the\narguments (never their values), the outcome and "
	     "sizes. Each line holds\nthe hash of the line before, and every "
	     "rotated file (audit.jsonl.N) is\nsealed with the host audit key "
	     "(<home>/audit.key, public half\n<home>/audit.pub) in "
	     "audit.jsonl.N.seal.\n"
	     "\n"
	     "verify  checks the chain and the seals of the given files (in "
	     "order,\n        oldest first), or of the whole log. Exit 0 when "
	     "intact, 3 naming\n        the first bad line and why. --key "
	     "checks seals against a copy of\n        audit.pub you keep "
	     "elsewhere (someone who can rewrite the store\n        can also "
	     "replace the key in it).\n"
	     "tail    the last N records (default 10).\n"
	     "query   the records since TIME (RFC 3339, e.g. "
	     "2026-01-31T09:00:00Z, or a\n        date), of principal P "
	     "(exact), of tools matching T (exact or a\n        glob: "
	     "'example/hello.*').\n"
	     "--json prints the records as they are stored, one JSON object "
	     "per line.\n"
	     "The newest line of the live file is covered only once the file "
	     "is\nrotated and sealed.");
}

/* Parse RFC 3339 (or a bare date) into milliseconds since the epoch. */
static int parse_time(const char *s, int64_t *ms)
{
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, frac_ms = 0;
	int64_t off = 0;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 ||
		    n != 8)
			return -1;
		p += 1 + n;
		if (*p == '.') {
			int digits = 0;
			for (p++; *p >= '0' && *p <= '9'; p++, digits++)
				if (digits < 3)
					frac_ms = frac_ms * 10 + (*p - '0');
			if (!digits)
				return -1;
			for (; digits < 3; digits++)
				frac_ms *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 ||
			    n != 5 || oh > 23 || om > 59)
				return -1;
			off = (int64_t)(oh * 60 + om) * 60 *
			      (*p == '+' ? 1 : -1);
			p += 1 + n;
		} else {
			return -1;
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = ((int64_t)timegm(&tm) - off) * 1000 + frac_ms;
	return 0;
}

static const char *str(const cJSON *j, const char *key)
{
	const char *s =
	        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, key));
	return s ? s : "";
}

/* One record as a line a person reads. */
static void print_human(const cJSON *j)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "duration_ms");

	printf("%s  %-16s %-32s %-12s %8.1fms", str(j, "ts"),
	       str(j, "principal"), str(j, "tool"), str(j, "status"),
	       cJSON_IsNumber(d) ? d->valuedouble : 0.0);
	if (*str(j, "detail"))
		printf("  (%s)", str(j, "detail"));
	putchar('\n');
}

struct filter {
	int64_t since_ms;
	int has_since;
	const char *principal, *tool;
	int json;
	long printed;
};

/* Print line (len bytes, no newline) if it passes f. */
static void emit(struct filter *f, const char *line, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	int64_t ts;

	if (!j)
		return; /* `audit verify` is where damage is reported */
	if ((f->has_since &&
	     (parse_time(str(j, "ts"), &ts) || ts < f->since_ms)) ||
	    (f->principal && strcmp(str(j, "principal"), f->principal)) ||
	    (f->tool && strcmp(str(j, "tool"), f->tool) &&
	     fnmatch(f->tool, str(j, "tool"), 0))) {
		cJSON_Delete(j);
		return;
	}
	if (f->json)
		printf("%.*s\n", (int)len, line);
	else
		print_human(j);
	f->printed++;
	cJSON_Delete(j);
}

/* Visit the lines of the log's files from `first` on (oldest first),
 * skipping the first `skip` lines in all. */
static int each_line(char **files, size_t n, size_t first, long skip,
                     struct filter *f)
{
	for (size_t i = first; i < n; i++) {
		struct sh_error e;
		char *text, *p, *nl;
		size_t len;

		if (fs_read_file(files[i], FILE_CAP, &text, &len, &e) != SH_OK)
			return cli_fail(&e);
		for (p = text; p < text + len; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(text + len - p));
			if (!nl)
				nl = text + len;
			if (skip > 0)
				skip--;
			else if (nl > p)
				emit(f, p, (size_t)(nl - p));
		}
		free(text);
	}
	return 0;
}

static long count_lines(const char *path)
{
	struct sh_error e;
	char *text;
	size_t len;
	long n = 0;

	if (fs_read_file(path, FILE_CAP, &text, &len, &e) != SH_OK)
		return 0;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	if (len && text[len - 1] != '\n')
		n++;
	free(text);
	return n;
}

static int verify(const char *home, char **args, int nargs, const char *key,
                  int json)
{
	char **files = NULL, pub[4200];
	struct minisig_pubkey pk;
	struct auditchain_result res;
	struct sh_error e;
	size_t n = 0;
	int anchored = 0, have_pk = 0, rc;
	sh_status st;

	if (nargs) {
		files = args;
		n = (size_t)nargs;
	} else if (auditchain_files(home, &files, &n, &anchored, &e)) {
		return cli_fail(&e);
	}
	snprintf(pub, sizeof pub, "%s/%s", home, AUDIT_PUB_FILE);
	if (key || fs_exists(pub)) {
		if (minisig_pubkey_load(key ? key : pub, &pk, &e)) {
			if (!nargs)
				auditchain_files_free(files, n);
			return cli_fail(&e);
		}
		have_pk = 1;
	}
	st = auditchain_verify((const char *const *)files, n, anchored,
	                       have_pk ? &pk : NULL, &res, &e);
	if (!nargs)
		auditchain_files_free(files, n);
	if (st != SH_OK && st != SH_ERR_TRUST)
		return cli_fail(&e);
	rc = st == SH_OK ? 0 : EXIT_TAMPERED;
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", st == SH_OK);
		cJSON_AddNumberToObject(o, "records", (double)res.records);
		cJSON_AddNumberToObject(o, "files", (double)res.files);
		cJSON_AddNumberToObject(o, "seals", (double)res.seals);
		if (st != SH_OK) {
			cJSON_AddStringToObject(o, "file", res.file);
			cJSON_AddNumberToObject(o, "line", (double)res.line);
			cJSON_AddStringToObject(o, "error", res.why);
		}
		if (cli_print_json(o, 1))
			rc = 5;
		cJSON_Delete(o);
		return rc;
	}
	if (st != SH_OK) {
		fprintf(stderr,
		        "skillhost: audit log damaged: %s\n"
		        "skillhost: the records after that point cannot be "
		        "trusted; keep a copy of the files for investigation\n",
		        e.msg);
		return rc;
	}
	if (n == 0)
		printf("no audit log yet\n");
	else
		printf("audit log intact: %lu records in %lu files, %lu "
		       "sealed\n",
		       res.records, res.files, res.seals);
	return 0;
}

int cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
	enum { O_SINCE = 256, O_PRINCIPAL, O_TOOL, O_JSON, O_KEY, O_HELP };
	static const struct option opts[] = {
	        {"since", required_argument, NULL, O_SINCE},
	        {"principal", required_argument, NULL, O_PRINCIPAL},
	        {"tool", required_argument, NULL, O_TOOL},
	        {"json", no_argument, NULL, O_JSON},
	        {"key", required_argument, NULL, O_KEY},
	        {"help", no_argument, NULL, O_HELP},
	        {NULL, 0, NULL, 0},
	};
	struct filter f = {.json = ctx->json};
	const char *sub, *key = NULL;
	char home[4096], **files;
	long lines = 10;
	size_t n, first;
	int anchored, c, rc;
	struct sh_error e;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		help();
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	if (strcmp(sub, "verify") && strcmp(sub, "tail") &&
	    strcmp(sub, "query"))
		return cli_usage("audit", "'%s' is not verify, tail or query",
		                 sub);
	optind = 2;
	while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'n':
			lines = strtol(optarg, &end, 10);
			if (*end || lines < 1 || strcmp(sub, "tail"))
				return cli_usage("audit",
				                 "-n takes a count of 1 or "
				                 "more, for tail");
			break;
		case O_SINCE:
			if (parse_time(optarg, &f.since_ms))
				return cli_usage("audit",
				                 "--since needs an RFC 3339 "
				                 "time like "
				                 "2026-01-31T09:00:00Z, not "
				                 "'%s'",
				                 optarg);
			f.has_since = 1;
			break;
		case O_PRINCIPAL: f.principal = optarg; break;
		case O_TOOL: f.tool = optarg; break;
		case O_KEY: key = optarg; break;
		case O_JSON: f.json = 1; break;
		case 'h':
		case O_HELP: help(); return 0;
		default: return cli_usage("audit", "unknown option");
		}
	}
	if ((f.has_since || f.principal || f.tool) && strcmp(sub, "query"))
		return cli_usage("audit",
		                 "--since, --principal and --tool are for "
		                 "query");
	if (key && strcmp(sub, "verify"))
		return cli_usage("audit", "--key is for verify");
	if (optind < argc && strcmp(sub, "verify"))
		return cli_usage("audit", "unexpected argument '%s'",
		                 argv[optind]);
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (!strcmp(sub, "verify"))
		return verify(home, argv + optind, argc - optind, key, f.json);
	if (auditchain_files(home, &files, &n, &anchored, &e))
		return cli_fail(&e);
	if (!strcmp(sub, "tail")) {
		/* Only the newest files that hold the last N lines. */
		long have = 0, skip;
		first = n;
		while (first > 0 && have < lines)
			have += count_lines(files[--first]);
		skip = have > lines ? have - lines : 0;
		rc = each_line(files, n, first, skip, &f);
	} else {
		rc = each_line(files, n, 0, 0, &f);
	}
	auditchain_files_free(files, n);
	return rc;
}
