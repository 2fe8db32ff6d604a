/*
 * cmd_skills.c - `skillhost skills`: the installed Agent Skills, and their
 * verified copies in the folders agents read (skillexport.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "fsutil.h"
#include "skillexport.h"
#include "skillset.h"
#include "status.h"

static void help(void)
{
	puts("usage: skillhost skills list [--json]\n"
	     "       skillhost skills export --client NAME [--project DIR] "
	     "[--skill NAME]\n"
	     "       skillhost skills export --dir DIR [--skill NAME]\n"
	     "       skillhost skills export --remove (--client NAME "
	     "[--project DIR] | --dir DIR | --all)\n"
	     "\n"
	     "list    the Agent Skills of the installed packages (each file "
	     "checked\n"
	     "        against the signed manifest; a changed one is left out "
	     "and logged)\n"
	     "export  write verified copies into a client's skills folder:\n"
	     "          claude-code  ~/.claude/skills   (--project: "
	     ".claude/skills)\n"
	     "          codex        ~/.agents/skills   (--project: "
	     ".agents/skills)\n"
	     "          copilot      ~/.copilot/skills  (--project: "
	     ".github/skills)\n"
	     "          cursor       ~/.cursor/skills   (--project: "
	     ".cursor/skills)\n"
	     "          agents       ~/.agents/skills   (--project: "
	     ".agents/skills)\n"
	     "        Every file is re-checked against the signed manifest "
	     "first. What\n"
	     "        was written is recorded (<home>/exports.json); a folder "
	     "skillhost\n"
	     "        did not write, or one changed since, is never "
	     "overwritten.\n"
	     "        --remove takes the recorded copies back out "
	     "(`skillhost remove`\n"
	     "        does so for the package it removes); --force removes "
	     "changed ones.\n"
	     "\n"
	     "skillhost never runs what an Agent Skill holds: its scripts "
	     "are data\nfor agents, copied without the executable bit.");
}

static int list(struct cli_ctx *ctx, int json)
{
	struct skillset *set = NULL;
	struct sh_error e;
	char home[4096];
	int rc;

	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (skillset_load(home, NULL, 0, &set, &e) != SH_OK)
		return cli_fail(&e);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; arr && i < set->n; i++) {
			const struct skillset_skill *s = set->skills[i];
			cJSON *o = cJSON_CreateObject(), *files;
			char uri[4096];
			cJSON_AddItemToArray(arr, o);
			snprintf(uri, sizeof uri, "%s%s/SKILL.md",
			         SKILLSET_URI_SCHEME, s->uri_path);
			cJSON_AddStringToObject(o, "name", s->name);
			cJSON_AddStringToObject(o, "description",
			                        s->description);
			cJSON_AddStringToObject(o, "package", s->package);
			cJSON_AddStringToObject(o, "version", s->version);
			cJSON_AddStringToObject(o, "publisher", s->publisher);
			cJSON_AddStringToObject(o, "uri", uri);
			cJSON_AddItemToObject(
			        o, "frontmatter",
			        cJSON_Duplicate(s->frontmatter, 1));
			files = cJSON_AddArrayToObject(o, "files");
			for (size_t k = 0; files && k < s->nfiles; k++) {
				char d[SKILLSET_DIGEST_MAX];
				cJSON *f = cJSON_CreateObject();
				skillset_digest(&s->files[k], d);
				cJSON_AddItemToArray(files, f);
				cJSON_AddStringToObject(f, "path",
				                        s->files[k].rel);
				cJSON_AddNumberToObject(
				        f, "size", (double)s->files[k].size);
				cJSON_AddStringToObject(f, "digest", d);
			}
		}
		rc = cli_print_json(arr, 1);
		cJSON_Delete(arr);
	} else {
		for (size_t i = 0; i < set->n; i++) {
			const struct skillset_skill *s = set->skills[i];
			printf("%-28s %s %s, %zu file%s\n  %s\n", s->uri_path,
			       s->package, s->version, s->nfiles,
			       s->nfiles == 1 ? "" : "s", s->description);
		}
		if (!set->n)
			puts("no Agent Skills are installed");
	}
	skillset_free(set);
	return rc;
}

static int export(struct cli_ctx *ctx, int argc, char **argv)
{
	enum {
		O_CLIENT = 256,
		O_PROJECT,
		O_DIR,
		O_SKILL,
		O_REMOVE,
		O_ALL,
		O_FORCE,
		O_JSON
	};
	static const struct option opts[] = {
	        {"client", required_argument, NULL, O_CLIENT},
	        {"project", required_argument, NULL, O_PROJECT},
	        {"dir", required_argument, NULL, O_DIR},
	        {"skill", required_argument, NULL, O_SKILL},
	        {"remove", no_argument, NULL, O_REMOVE},
	        {"all", no_argument, NULL, O_ALL},
	        {"force", no_argument, NULL, O_FORCE},
	        {"json", no_argument, NULL, O_JSON},
	        {NULL, 0, NULL, 0},
	};
	const char *client = NULL, *project = NULL, *dir = NULL, *only = NULL;
	int remove = 0, all = 0, force = 0, json = ctx->json, c, rc;
	char home[4096], dest[4096], *absproj = NULL;
	cJSON *report = NULL;
	struct sh_error e;
	sh_status st;

	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_CLIENT: client = optarg; break;
		case O_PROJECT: project = optarg; break;
		case O_DIR: dir = optarg; break;
		case O_SKILL: only = optarg; break;
		case O_REMOVE: remove = 1; break;
		case O_ALL: all = 1; break;
		case O_FORCE: force = 1; break;
		case O_JSON: json = 1; break;
		default: return cli_usage("skills", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage("skills", "unexpected '%s'", argv[optind]);
	if (all && !remove)
		return cli_usage("skills", "--all is for --remove");
	if (!all && !!client + !!dir != 1)
		return cli_usage("skills",
		                 "give --client NAME (claude-code, codex, "
		                 "copilot, cursor, agents) or --dir DIR");
	if (project && !client)
		return cli_usage("skills", "--project goes with --client");
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	/* Recorded folders are absolute, so a later --remove from another
	 * working directory finds them. */
	if (project && !(absproj = realpath(project, NULL))) {
		fprintf(stderr,
		        "skillhost: error: --project %s: no such "
		        "folder\n",
		        project);
		return 2;
	}
	if (dir) {
		char cwd[4096];
		size_t n;
		if (dir[0] == '/')
			snprintf(dest, sizeof dest, "%s", dir);
		else if (!getcwd(cwd, sizeof cwd) ||
		         fs_pathf(dest, sizeof dest, NULL, "%s/%s", cwd, dir))
			return cli_usage("skills", "cannot resolve --dir %s",
			                 dir);
		n = strlen(dest);
		while (n > 1 && dest[n - 1] == '/')
			dest[--n] = '\0';
	} else if (client &&
	           skillexport_client_dir(client, absproj, getenv("HOME"), dest,
	                                  sizeof dest, &e) != SH_OK) {
		free(absproj);
		return cli_fail(&e);
	}
	free(absproj);
	if (remove)
		st = skillexport_remove(home, all ? NULL : dest, only, force,
		                        &report, &e);
	else
		st = skillexport_export(home, dest, client ? client : "dir",
		                        only, &report, &e);
	if (st != SH_OK)
		return cli_fail(&e);
	if (json) {
		rc = cli_print_json(report, 1);
	} else if (remove) {
		const cJSON *f;
		cJSON_ArrayForEach(f, report)
		        printf("removed %s\n", f->valuestring);
		if (!cJSON_GetArraySize(report))
			puts("nothing to remove: no recorded copies there");
	} else {
		const cJSON *r;
		cJSON_ArrayForEach(r, report)
		        printf("exported %s (%s %s) -> %s\n",
		               cJSON_GetObjectItemCaseSensitive(r, "skill")
		                       ->valuestring,
		               cJSON_GetObjectItemCaseSensitive(r, "package")
		                       ->valuestring,
		               cJSON_GetObjectItemCaseSensitive(r, "version")
		                       ->valuestring,
		               cJSON_GetObjectItemCaseSensitive(r, "folder")
		                       ->valuestring);
	}
	cJSON_Delete(report);
	return rc;
}

int cmd_skills(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		help();
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "list")) {
		int json = ctx->json;
		for (int i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--json"))
				return cli_usage("skills", "unexpected '%s'",
				                 argv[i]);
			json = 1;
		}
		return list(ctx, json);
	}
	if (!strcmp(argv[1], "export"))
		return export(ctx, argc, argv);
	return cli_usage("skills", "'%s' is not list or export", argv[1]);
}

void cli_print_agentskills(const cJSON *rec)
{
	const cJSON *n,
	        *names = cJSON_GetObjectItemCaseSensitive(rec, "agentskills");

	if (!cJSON_GetArraySize(names))
		return;
	printf("Agent Skills it carries (instructions and files for agents; "
	       "skillhost never\nruns their scripts):\n");
	cJSON_ArrayForEach(n, names) printf("  %s\n", n->valuestring);
	printf("serve them over MCP (skills/list), or copy them to an agent: "
	       "skillhost skills export --client claude-code\n");
}

void cli_remove_exports(const char *home, const char *package)
{
	cJSON *report = NULL;
	const cJSON *f;
	struct sh_error e;

	if (skillexport_remove(home, NULL, package, 0, &report, &e) != SH_OK) {
		fprintf(stderr,
		        "skillhost: warning: exported copies of %s stay: %s\n",
		        package, e.msg);
		return;
	}
	cJSON_ArrayForEach(f, report)
	        printf("removed exported copy %s\n", f->valuestring);
	cJSON_Delete(report);
}
