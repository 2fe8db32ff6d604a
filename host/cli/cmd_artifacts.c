/*
 * cmd_artifacts.c - `skillhost artifacts`: list and prune the files skills
 * wrote through skill.artifacts/1.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "artifacts.h"
#include "commands.h"
#include "config.h"
#include "fsutil.h"

static void help(void)
{
	puts("usage: skillhost artifacts list [--json] [--dir DIR]\n"
	     "       skillhost artifacts prune [--older-than DUR | --all] "
	     "[--dry-run] [--dir DIR]\n"
	     "\n"
	     "list   the artifacts in the store, oldest first: name, the "
	     "skill that\n"
	     "       wrote it, size and age, then the total against the cap\n"
	     "prune  remove artifacts older than DUR (default: the "
	     "retention,\n"
	     "       `config --host artifacts-keep`, 7d unless set), or all "
	     "of them\n"
	     "\n"
	     "  --older-than DUR  e.g. 12h, 3d, 90m\n"
	     "  --all             every artifact, whatever its age\n"
	     "  --dry-run         say what would be removed; remove nothing\n"
	     "  --dir DIR         the artifacts folder (default: "
	     "<home>/artifacts)\n"
	     "  --json            machine-readable output\n"
	     "\n"
	     "Quotas (`skillhost config --host KEY SIZE`): artifacts-call-max "
	     "(256M)\n"
	     "per call, artifacts-max (2G) for the whole store.");
}

/* "3d", "5h", "12m", "40s". */
static const char *age_text(int64_t s, char *buf, size_t cap)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(buf, cap, "%" PRId64 "d", s / 86400);
	else if (s >= 3600)
		snprintf(buf, cap, "%" PRId64 "h", s / 3600);
	else if (s >= 60)
		snprintf(buf, cap, "%" PRId64 "m", s / 60);
	else
		snprintf(buf, cap, "%" PRId64 "s", s);
	return buf;
}

static const char *size_text(uint64_t n, char *buf, size_t cap)
{
	if (n >= (1ull << 30))
		snprintf(buf, cap, "%.1fG", (double)n / (1ull << 30));
	else if (n >= (1ull << 20))
		snprintf(buf, cap, "%.1fM", (double)n / (1ull << 20));
	else if (n >= 1024)
		snprintf(buf, cap, "%.1fK", (double)n / 1024);
	else
		snprintf(buf, cap, "%" PRIu64, n);
	return buf;
}

static cJSON *entry_json(const struct artifact_entry *a, time_t now)
{
	cJSON *o = cJSON_CreateObject();
	const char *dash = strchr(a->id, '-');

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", a->id);
	cJSON_AddStringToObject(o, "name", dash ? dash + 1 : a->id);
	if (a->skill[0])
		cJSON_AddStringToObject(o, "skill", a->skill);
	else
		cJSON_AddNullToObject(o, "skill");
	cJSON_AddNumberToObject(o, "size", (double)a->size);
	cJSON_AddNumberToObject(o, "age_seconds",
	                        (double)(now - (time_t)a->mtime));
	{
		/* When, as RFC 3339, like every time the CLI prints. */
		time_t t = (time_t)a->mtime;
		struct tm tm;
		char when[32];
		if (gmtime_r(&t, &tm) &&
		    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
			cJSON_AddStringToObject(o, "modified", when);
	}
	return o;
}

static int list(struct cli_ctx *ctx, const char *dir,
                const struct artifacts_limits *lim)
{
	struct artifact_entry *v;
	struct sh_error e;
	uint64_t total = 0;
	time_t now = time(NULL);
	size_t n;
	int rc = 0;

	if (artifacts_list(dir, &v, &n, &e) != SH_OK)
		return cli_fail(&e);
	for (size_t i = 0; i < n; i++)
		total += v[i].size;
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject(), *arr;
		int64_t keep_s;
		cJSON_AddStringToObject(o, "dir", dir);
		cJSON_AddNumberToObject(o, "total_bytes", (double)total);
		cJSON_AddNumberToObject(o, "max_bytes", (double)lim->store_max);
		/* Whole seconds, as the setting is given. */
		keep_s = lim->keep_ms / 1000;
		cJSON_AddNumberToObject(o, "keep_seconds", (double)keep_s);
		arr = cJSON_AddArrayToObject(o, "artifacts");
		for (size_t i = 0; arr && i < n; i++)
			cJSON_AddItemToArray(arr, entry_json(&v[i], now));
		rc = cli_print_json(o, 1);
		cJSON_Delete(o);
	} else {
		char sz[32], age[32], cap[32];
		if (n)
			printf("%-6s %8s  %-28s %s\n", "AGE", "SIZE", "SKILL",
			       "NAME");
		for (size_t i = 0; i < n; i++) {
			const char *dash = strchr(v[i].id, '-');
			printf("%-6s %8s  %-28s %s\n",
			       age_text(now - (time_t)v[i].mtime, age,
			                sizeof age),
			       size_text(v[i].size, sz, sizeof sz),
			       v[i].skill[0] ? v[i].skill : "-",
			       dash ? dash + 1 : v[i].id);
		}
		printf("%zu artifacts, %s of the %s cap, in %s; kept for %s\n",
		       n, size_text(total, sz, sizeof sz),
		       size_text(lim->store_max, cap, sizeof cap), dir,
		       age_text(lim->keep_ms / 1000, age, sizeof age));
	}
	free(v);
	return rc;
}

struct pruned {
	cJSON *ids; /* --json */
	int dry_run;
};

static void on_pruned(void *ud, const struct artifact_entry *a)
{
	struct pruned *p = ud;

	if (p->ids)
		cJSON_AddItemToArray(p->ids, cJSON_CreateString(a->id));
	else
		printf("%s %s\n", p->dry_run ? "would remove" : "removed",
		       a->id);
}

static int prune(struct cli_ctx *ctx, const char *dir, int64_t older_ms,
                 int dry_run)
{
	struct pruned p = {.dry_run = dry_run};
	struct sh_error e;
	cJSON *o = NULL;
	uint64_t bytes = 0;
	size_t n = 0;
	int rc = 0;
	char sz[32];

	if (ctx->json) {
		o = cJSON_CreateObject();
		p.ids = cJSON_AddArrayToObject(o, "removed");
		if (!p.ids) {
			cJSON_Delete(o);
			fprintf(stderr, "skillhost: error: out of memory\n");
			return 5;
		}
	}
	if (artifacts_prune(dir, older_ms, dry_run, on_pruned, &p, &n, &bytes,
	                    &e) != SH_OK) {
		cJSON_Delete(o);
		return cli_fail(&e);
	}
	if (o) {
		cJSON_AddNumberToObject(o, "count", (double)n);
		cJSON_AddNumberToObject(o, "bytes", (double)bytes);
		cJSON_AddBoolToObject(o, "dry_run", dry_run);
		rc = cli_print_json(o, 1);
		cJSON_Delete(o);
	} else {
		printf("%s %zu artifacts (%s)\n",
		       dry_run ? "would remove" : "removed", n,
		       size_text(bytes, sz, sizeof sz));
	}
	return rc;
}

int cmd_artifacts(struct cli_ctx *ctx, int argc, char **argv)
{
	enum { O_OLDER = 256, O_ALL, O_DRY, O_DIR, O_JSON, O_HELP };
	static const struct option opts[] = {
	        {"older-than", required_argument, NULL, O_OLDER},
	        {"all", no_argument, NULL, O_ALL},
	        {"dry-run", no_argument, NULL, O_DRY},
	        {"dir", required_argument, NULL, O_DIR},
	        {"json", no_argument, NULL, O_JSON},
	        {"help", no_argument, NULL, O_HELP},
	        {NULL, 0, NULL, 0},
	};
	struct cli_ctx local = *ctx;
	struct artifacts_limits lim;
	struct config *cfg = NULL;
	struct sh_error e;
	const char *sub, *dir = NULL;
	char home[4096], path[4096];
	int64_t older_ms = 0;
	int all = 0, dry_run = 0, c, rc;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		help();
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	if (strcmp(sub, "list") && strcmp(sub, "prune"))
		return cli_usage("artifacts", "'%s' is not list or prune", sub);
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_OLDER:
			if (config_parse_duration_ms(optarg, &older_ms))
				return cli_usage(
				        "artifacts",
				        "--older-than needs a duration "
				        "like 12h, 3d or 90m, not '%s'",
				        optarg);
			break;
		case O_ALL: all = 1; break;
		case O_DRY: dry_run = 1; break;
		case O_DIR: dir = optarg; break;
		case O_JSON: local.json = 1; break;
		case 'h':
		case O_HELP: help(); return 0;
		default: return cli_usage("artifacts", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("artifacts", "unexpected argument '%s'",
		                 argv[optind]);
	if (!strcmp(sub, "list") && (older_ms || all || dry_run))
		return cli_usage("artifacts",
		                 "--older-than, --all and --dry-run are for "
		                 "prune");
	if (all && older_ms)
		return cli_usage("artifacts",
		                 "give --older-than or --all, not both");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (config_load(home, &cfg, &e) != SH_OK)
		return cli_fail(&e);
	artifacts_limits(cfg, NULL, &lim);
	config_free(cfg);
	if (!dir) {
		if (fs_join(path, sizeof path, home, "artifacts", &e) != SH_OK)
			return cli_fail(&e);
		dir = path;
	}
	if (!strcmp(sub, "list"))
		return list(&local, dir, &lim);
	return prune(&local, dir,
	             all        ? 0
	             : older_ms ? older_ms
	                        : lim.keep_ms,
	             dry_run);
}
