/*
 * cli.c - helpers every command shares. See cli.h.
 */
#include "cli.h"

#include <ctype.h>
#include <dirent.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "runtime.h"

/* Set once by main before any command runs. */
static int files_in_process;
static const char *surface = "cli";

void cli_set_in_process(int on)
{
	files_in_process = on;
}

int cli_files_in_process(void)
{
	return files_in_process;
}

void cli_set_surface(const char *s)
{
	surface = s;
}

/* What a trust failure means for the command running: a file refused
 * (the default), or a registry refused (set by the registry commands). */
static const char *trust_hint = "the file was not installed or run; check "
                                "where it came from";

void cli_set_trust_hint(const char *h)
{
	trust_hint = h;
}

static const char *hint(sh_status st)
{
	switch (st) {
	case SH_ERR_TRUST: return trust_hint;
	default: return NULL;
	}
}

/* A --skill that names a folder (the project, or its build folder) gets
 * the library to give instead: the one .so in DIR or DIR/build. */
static sh_status skill_folder(const char *path, struct sh_error *e)
{
	static const char *const subs[] = {"", "/build"};
	char dir[2048], found[4096] = "";
	int many = 0;

	for (int i = 0; i < 2 && !found[0]; i++) {
		DIR *d;
		struct dirent *de;
		if (snprintf(dir, sizeof dir, "%s%s", path, subs[i]) >=
		            (int)sizeof dir ||
		    !(d = opendir(dir)))
			continue;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);
			if (n > 3 && !strcmp(de->d_name + n - 3, ".so")) {
				many += found[0] != '\0';
				if (snprintf(found, sizeof found, "%s/%.255s",
				             dir,
				             de->d_name) >= (int)sizeof found)
					found[0] = '\0';
			}
		}
		closedir(d);
	}
	if (found[0] && !many)
		return sh_error_set(e, SH_ERR_USAGE,
		                    "%s is a folder, not a skill file; give "
		                    "the built library: --skill %s",
		                    path, found);
	return sh_error_set(e, SH_ERR_USAGE,
	                    "%s is a folder, not a skill file; give the "
	                    "built library, e.g. --skill %s/build/NAME.so "
	                    "(build it with `cmake --build %s/build`)",
	                    path, path, path);
}

int cli_fail(const struct sh_error *e)
{
	const char *h = hint(e->status);

	fprintf(stderr, "skillhost: error: %s\n",
	        e->msg[0] ? e->msg : sh_status_name(e->status));
	if (h)
		fprintf(stderr, "skillhost: %s\n", h);
	return sh_status_exit_code(e->status == SH_OK ? SH_ERR_FAIL
	                                              : e->status);
}

/* The running command's arguments, for naming what getopt refused. */
static int cmd_argc;
static char **cmd_argv;

void cli_set_args(int argc, char **argv)
{
	cmd_argc = argc;
	cmd_argv = argv;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "skillhost %s: ", cmd);
	/* getopt is silent (opterr = 0, set by main), so that the error is
	 * printed once: name what it refused here. */
	if (!strcmp(fmt, "unknown option") && cmd_argv && optind > 0 &&
	    optind <= cmd_argc && cmd_argv[optind - 1]) {
		if (strncmp(cmd_argv[optind - 1], "--", 2) && optopt &&
		    optopt != '?')
			fprintf(stderr,
			        "unknown option or missing value: '-%c'",
			        optopt);
		else
			fprintf(stderr, "unknown option or missing value: '%s'",
			        cmd_argv[optind - 1]);
	} else {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "\nRun 'skillhost %s --help' for usage.\n", cmd);
	return 2;
}

void cli_take_json(struct cli_ctx *ctx, int *argc, char **argv)
{
	int j = 0, end = 0;

	for (int i = 0; i < *argc; i++) {
		end |= !strcmp(argv[i], "--");
		if (!end && !strcmp(argv[i], "--json"))
			ctx->json = 1;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
}

int cli_print_done(const char *key, ...)
{
	cJSON *o = cJSON_CreateObject();
	va_list ap;
	int rc;

	if (!o || !cJSON_AddTrueToObject(o, "ok")) {
		cJSON_Delete(o);
		return 5;
	}
	va_start(ap, key);
	for (const char *k = key; k; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		if (!cJSON_AddStringToObject(o, k, v ? v : "")) {
			va_end(ap);
			cJSON_Delete(o);
			return 5;
		}
	}
	va_end(ap);
	rc = cli_print_json(o, 1);
	cJSON_Delete(o);
	return rc;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

sh_status cli_open_runtime(const struct cli_ctx *ctx, char **skill_paths,
                           int nskills, struct runtime **out,
                           struct sh_error *e)
{
	struct runtime_opts o = {.home = ctx->home,
	                         .isolate_files = !files_in_process,
	                         .caller = surface};
	struct runtime *rt;
	sh_status rc;

	rc = runtime_open(&o, &rt, e);
	if (rc != SH_OK)
		return rc;
	for (int i = 0; i < nskills; i++) {
		struct stat st;
		if (stat(skill_paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = skill_folder(skill_paths[i], e);
			goto fail;
		}
		rc = runtime_add_skill_file(rt, skill_paths[i], e);
		if (rc != SH_OK)
			goto fail;
	}
	rc = runtime_seal(rt, e);
	if (rc != SH_OK)
		goto fail;
	*out = rt;
	return SH_OK;
fail:
	runtime_close(rt);
	return rc;
}

/* Write compact JSON text with two-space indentation, one member or
 * element per line, and empty containers kept as {} and []. */
static void print_indented(const char *s, FILE *f)
{
	int depth = 0, in_str = 0;

	for (const char *p = s; *p; p++) {
		char ch = *p;
		if (in_str) {
			fputc(ch, f);
			if (ch == '\\' && p[1])
				fputc(*++p, f);
			else if (ch == '"')
				in_str = 0;
			continue;
		}
		switch (ch) {
		case '"':
			in_str = 1;
			fputc(ch, f);
			break;
		case '{':
		case '[':
			fputc(ch, f);
			if (p[1] == '}' || p[1] == ']') {
				fputc(*++p, f);
				break;
			}
			fprintf(f, "\n%*s", ++depth * 2, "");
			break;
		case '}':
		case ']': fprintf(f, "\n%*s%c", --depth * 2, "", ch); break;
		case ',': fprintf(f, ",\n%*s", depth * 2, ""); break;
		case ':': fputs(": ", f); break;
		default: fputc(ch, f);
		}
	}
	fputc('\n', f);
}

int cli_home(const struct cli_ctx *ctx, char *buf, size_t cap)
{
	struct sh_error e;

	if (ctx->home) {
		if (snprintf(buf, cap, "%s", ctx->home) >= (int)cap)
			return cli_usage("", "--home is too long");
		return 0;
	}
	return runtime_default_home(buf, cap, &e) == SH_OK ? 0 : cli_fail(&e);
}

int cli_print_json(const cJSON *j, int pretty)
{
	char *s = cJSON_PrintUnformatted(j);

	if (!s) {
		fprintf(stderr, "skillhost: error: out of memory\n");
		return 5;
	}
	if (pretty)
		print_indented(s, stdout);
	else
		puts(s);
	free(s);
	return 0;
}

/* Longest word cli_nearest compares; longer ones are never typos of a
 * command or key. */
#define CLI_NEAREST_MAX 64

/* Optimal string alignment distance, case-insensitive. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[CLI_NEAREST_MAX + 1][CLI_NEAREST_MAX + 1];

	if (la > CLI_NEAREST_MAX || lb > CLI_NEAREST_MAX)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t best = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const char *cli_nearest(const char *word, const char *const *cands)
{
	size_t len = strlen(word), limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	size_t best = (size_t)-1;
	const char *pick = NULL;

	for (; cands && *cands; cands++) {
		size_t dd = distance(word, *cands);
		if (dd <= limit && dd < best) {
			best = dd;
			pick = *cands;
		}
	}
	return pick;
}
