/*
 * cmd_config.c - `skillhost config`: a skill's settings and host policy.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <skill/ext/config.h>

#include "config.h"
#include "commands.h"
#include "ratelimit.h"
#include "exec_isolated.h"
#include "manifest.h"
#include "oauthdecl.h"
#include "runtime.h"
#include "sandbox.h"
#include "schema.h"
#include "skilldesc.h"

/* Keys the host itself interprets; everything else is the skill's. */
static const char *const policy_keys[] = {"isolation",   "timeout",
                                          "memory",      "concurrency",
                                          "threads",     "input-dir",
                                          "network",     "artifacts-call-max",
                                          "http-memory", "confirm-destructive",
                                          NULL};
/* The provider of a skill's `skillhost login` (package/oauthdecl.h). */
static const char *const oauth_keys[] = {"oauth-client-id",
                                         "oauth-scopes",
                                         "oauth-authorization-endpoint",
                                         "oauth-token-endpoint",
                                         "oauth-revocation-endpoint",
                                         "oauth-device-endpoint",
                                         "oauth-jwt-audience",
                                         NULL};
/* Keys of the host-wide defaults (`config --host`). */
static const char *const host_keys[] = {"timeout",
                                        "artifacts-call-max",
                                        "artifacts-max",
                                        "artifacts-keep",
                                        "confirm-destructive",
                                        "rate-principal",
                                        "rate-principal-burst",
                                        "rate-tool",
                                        "rate-tool-burst",
                                        "concurrency-principal",
                                        "concurrency-tool",
                                        NULL};

static void help(void)
{
	puts("usage: skillhost config SKILL [KEY [VALUE]] [--unset] "
	     "[--skill PATH.so]\n"
	     "                        [--force] [--json]\n"
	     "       skillhost config --host [KEY [VALUE]] [--unset]\n"
	     "\n"
	     "Show (no KEY), read (KEY) or set (KEY VALUE) a skill's\n"
	     "configuration. Host policy keys:\n"
	     "  isolation    in-process | isolated\n"
	     "  timeout      per-call deadline: milliseconds, or 30s, 2m...\n"
	     "  memory       memory cap of an isolated skill, e.g. 512M\n"
	     "  concurrency  most calls of the skill at once\n"
	     "  threads      most threads an isolated skill may run at once "
	     "(default 64)\n"
	     "  input-dir    folders the skill may read, ':'-separated\n"
	     "  network      extra hosts it may reach, ','-separated (see "
	     "permit)\n"
	     "  http-memory  bytes of HTTP responses one call may hold "
	     "unfreed, e.g. 64M\n"
	     "  artifacts-call-max  most artifact bytes one call may write\n"
	     "  confirm-destructive  on | off: ask the user (MCP elicitation,\n"
	     "               or the agent's terminal) before a model's call "
	     "of\n"
	     "               a destructive tool runs; refused where nobody "
	     "can\n"
	     "               be asked (`skillhost call` is the operator's own\n"
	     "               command and is not asked)\n"
	     "  oauth-client-id, oauth-scopes  the app `skillhost login` uses\n"
	     "  oauth-authorization-endpoint, oauth-token-endpoint,\n"
	     "  oauth-revocation-endpoint, oauth-device-endpoint  a "
	     "self-hosted\n"
	     "               provider's URLs (https; http only on loopback)\n"
	     "  oauth-jwt-audience  the aud of `login --jwt` assertions\n"
	     "\n"
	     "--host also sets call limits (off unless set; per serve "
	     "process):\n"
	     "  rate-principal      calls per caller: N/s, N/m or N/h (burst: "
	     "N)\n"
	     "  rate-principal-burst  calls a caller may make at once\n"
	     "  rate-tool, rate-tool-burst  the same per tool, all callers\n"
	     "  concurrency-principal, concurrency-tool  calls in flight "
	     "at once\n"
	     "--host sets the host-wide defaults a skill's policy overrides:\n"
	     "  timeout             call deadline (default 60s)\n"
	     "  artifacts-call-max  artifact bytes per call (default 256M)\n"
	     "  artifacts-max       total size of the artifact store "
	     "(default 2G)\n"
	     "  artifacts-keep      age at which artifacts are pruned "
	     "(default 7d)\n"
	     "  confirm-destructive  on | off for every skill (default off)\n"
	     "Any other KEY is a setting the skill reads through the\n"
	     "skill.config/1 extension. When the skill publishes a settings\n"
	     "schema (skill.config-schema/1), the key and the new value are\n"
	     "checked against it when set: the installed skill's, or the\n"
	     "--skill file's. An unknown key is refused, with the nearest\n"
	     "setting or policy key, unless --force.\n"
	     "\n"
	     "  --unset          remove KEY\n"
	     "  --force          store a KEY the schema does not list (a\n"
	     "                   schema that forbids other keys still does)\n"
	     "  --json           show the configuration as JSON\n"
	     "  --skill PATH.so  the skill's file, to check settings against "
	     "its schema");
}

static int is_policy(const char *key)
{
	for (const char *const *k = policy_keys; *k; k++)
		if (!strcmp(*k, key))
			return 1;
	for (const char *const *k = oauth_keys; *k; k++)
		if (!strcmp(*k, key))
			return 1;
	return 0;
}

static int is_host_key(const char *key)
{
	for (const char *const *k = host_keys; *k; k++)
		if (!strcmp(*k, key))
			return 1;
	return 0;
}

static int positive_int(const char *v)
{
	char *end;
	long long n = strtoll(v, &end, 10);
	return *v && !*end && n > 0;
}

static int check_policy(const char *key, const char *value)
{
	if (!strcmp(key, "isolation") && strcmp(value, "in-process") &&
	    strcmp(value, "isolated"))
		return cli_usage(
		        "config",
		        "isolation must be 'in-process' or 'isolated'");
	if (!strcmp(key, "confirm-destructive") && strcmp(value, "on") &&
	    strcmp(value, "off"))
		return cli_usage("config",
		                 "confirm-destructive must be 'on' or 'off'");
	if (!strncmp(key, "oauth-", 6) && strstr(key, "-endpoint") &&
	    !oauthdecl_url_ok(value))
		return cli_usage("config",
		                 "%s must be an https:// URL (plain http only "
		                 "to 127.0.0.1, [::1] or localhost)",
		                 key);
	if (!strcmp(key, "concurrency") && !positive_int(value))
		return cli_usage("config", "%s must be a positive integer",
		                 key);
	if (!strcmp(key, "timeout") || !strcmp(key, "artifacts-keep")) {
		int64_t ms;
		if (config_parse_duration_ms(value, &ms))
			return cli_usage("config",
			                 "%s must be a duration: milliseconds "
			                 "like 1500, or 30s, 2m, 1h, 7d",
			                 key);
	}
	if ((!strcmp(key, "memory") || !strcmp(key, "http-memory") ||
	     !strcmp(key, "artifacts-call-max") ||
	     !strcmp(key, "artifacts-max")) &&
	    !config_parse_size(value))
		return cli_usage("config", "%s must be a size like 512M or 2G",
		                 key);
	if (!strcmp(key, "threads")) {
		char *end;
		long long n = strtoll(value, &end, 10);
		if (!*value || *end || n < 1 || n > SANDBOX_THREADS_MAX)
			return cli_usage(
			        "config",
			        "threads must be a whole number from 1 "
			        "to %d",
			        SANDBOX_THREADS_MAX);
	}
	if (!strcmp(key, "network")) {
		char *copy = strdup(value), *save = NULL;
		int bad = 0;
		for (char *p = strtok_r(copy, ",", &save); p && !bad;
		     p = strtok_r(NULL, ",", &save))
			if (!manifest_valid_host_pattern(p))
				bad = cli_usage(
				        "config",
				        "network: '%s' is not a host name, "
				        "*.domain or host:port",
				        p);
		free(copy);
		return bad;
	}
	if (!strcmp(key, "input-dir")) {
		char *copy = strdup(value), *save = NULL;
		int bad = 0;
		for (char *d = strtok_r(copy, ":", &save); d && !bad;
		     d = strtok_r(NULL, ":", &save)) {
			struct stat st;
			if (d[0] != '/' || stat(d, &st) || !S_ISDIR(st.st_mode))
				bad = cli_usage("config",
				                "input-dir: '%s' is not an "
				                "absolute path to a folder",
				                d);
		}
		free(copy);
		return bad;
	}
	return 0;
}

/* Returned by check_setting when there is nothing to check against. */
#define NO_SKILL (-1)

/* "Did you mean" for a settings key: the nearest of the schema's
 * properties and the host's policy keys. */
static void no_such_key(const char *skill, const char *key, const cJSON *props)
{
	const char *cands[128];
	size_t n = 0;
	const cJSON *it;
	const char *near;

	cJSON_ArrayForEach(it, props) if (n + 1 < 64) cands[n++] = it->string;
	for (const char *const *k = policy_keys; *k && n + 1 < 128; k++)
		cands[n++] = *k;
	cands[n] = NULL;
	near = cli_nearest(key, cands);
	fprintf(stderr, "skillhost: error: %s has no setting '%s'", skill, key);
	if (near)
		fprintf(stderr, "; did you mean '%s'%s?", near,
		        is_policy(near) ? " (host policy)" : "");
	fputs("\nskillhost: its settings are: ", stderr);
	n = 0;
	cJSON_ArrayForEach(it, props)
	        fprintf(stderr, "%s%s", n++ ? ", " : "", it->string);
	fprintf(stderr,
	        "%s; `skillhost config --help` lists the policy keys; "
	        "--force stores it anyway\n",
	        n ? "" : "none");
}

/*
 * Check KEY (a setting, not policy) and, with KEY=VALUE applied, the
 * skill's settings against the schema it publishes: the --skill file
 * when given, else the installed skill. Returns an exit code; 0 when fine
 * or when the skill publishes no schema; NO_SKILL when the skill is
 * neither installed nor given. force skips the unknown-key check only.
 */
static int check_setting(struct cli_ctx *ctx, char *skill_path,
                         const char *skill, const char *key, const char *value,
                         int force)
{
	const skill_ext_config_schema_t *ext;
	struct schema *schema = NULL;
	struct runtime *rt = NULL;
	struct executor *ex;
	struct sh_error err;
	cJSON *settings = NULL, *doc = NULL;
	const cJSON *cur, *props;
	char why[512];
	int rc = 0;

	if (cli_open_runtime(ctx, &skill_path, skill_path ? 1 : 0, &rt, &err) !=
	    SH_OK)
		return cli_fail(&err);
	if (!catalog_skill_find(runtime_catalog(rt), skill)) {
		if (skill_path)
			rc = cli_usage("config", "%s is skill %s, not %s",
			               skill_path,
			               catalog_skill_at(runtime_catalog(rt), 0)
			                       ->desc->name,
			               skill);
		else
			rc = NO_SKILL;
		goto out;
	}
	if (catalog_executor(runtime_catalog(rt),
	                     catalog_skill_find(runtime_catalog(rt), skill),
	                     &ex, &err) != SH_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	ext = exec_skill_extension(ex, SKILL_EXT_CONFIG_SCHEMA);
	if (!ext || !ext->schema)
		goto out;
	if (schema_compile_text(ext->schema, strlen(ext->schema), &schema,
	                        &err) != SH_OK) {
		fprintf(stderr,
		        "skillhost: warning: %s publishes an invalid settings "
		        "schema (%s); not checking\n",
		        skill, err.msg);
		goto out;
	}
	doc = cJSON_Parse(ext->schema);
	props = cJSON_GetObjectItemCaseSensitive(doc, "properties");
	if (value && !force && cJSON_IsObject(props) &&
	    !cJSON_GetObjectItemCaseSensitive(props, key)) {
		no_such_key(skill, key, props);
		rc = 2;
		goto out;
	}
	cur = cJSON_GetObjectItemCaseSensitive(
	        config_skill(runtime_config(rt), skill), "settings");
	settings = cur ? cJSON_Duplicate(cur, 1) : cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(settings, key);
	if (value)
		cJSON_AddStringToObject(settings, key, value);
	if (!schema_validate(schema, settings, why, sizeof why)) {
		fprintf(stderr,
		        "skillhost: error: %s rejects this setting: %s\n"
		        "skillhost: its settings schema is %s\n",
		        skill, why, ext->schema);
		rc = 2;
	}
out:
	cJSON_Delete(doc);
	cJSON_Delete(settings);
	schema_free(schema);
	runtime_close(rt);
	return rc;
}

static int show(struct cli_ctx *ctx, const char *skill, const char *key)
{
	struct runtime *rt;
	struct sh_error err;
	const cJSON *all;
	int rc = 0;

	if (cli_open_runtime(ctx, NULL, 0, &rt, &err) != SH_OK)
		return cli_fail(&err);
	all = config_skill(runtime_config(rt), skill);
	if (key) {
		const char *v =
		        is_policy(key)
		                ? config_policy(runtime_config(rt), skill, key)
		                : config_setting(runtime_config(rt), skill,
		                                 key);
		if (v) {
			puts(v);
		} else {
			fprintf(stderr, "skillhost: %s has no %s set\n", skill,
			        key);
			rc = 4;
		}
	} else if (ctx->json) {
		cJSON *empty = cJSON_CreateObject();
		rc = cli_print_json(all ? all : empty, 1);
		cJSON_Delete(empty);
	} else {
		static const char *const sections[] = {"policy", "settings"};
		for (int s = 0; s < 2; s++) {
			const cJSON *sec = cJSON_GetObjectItemCaseSensitive(
			        all, sections[s]);
			const cJSON *kv;
			cJSON_ArrayForEach(kv, sec) if (cJSON_IsString(kv))
			        printf("%s %s = %s\n", sections[s], kv->string,
			               kv->valuestring);
		}
	}
	runtime_close(rt);
	return rc;
}

/* A timeout is stored in milliseconds whatever unit it was given in, so
 * every reader (and older hosts) sees one form. */
static const char *normalized(const char *key, const char *value, char *buf,
                              size_t cap)
{
	int64_t ms;

	if (value && !strcmp(key, "timeout") &&
	    config_parse_duration_ms(value, &ms) == 0) {
		snprintf(buf, cap, "%lld", (long long)ms);
		return buf;
	}
	return value;
}

/* `config --host [KEY [VALUE]] [--unset]`. */
static int host_config(struct cli_ctx *ctx, int argc, char **argv, int unset)
{
	const char *key = argc > 0 ? argv[0] : NULL;
	const char *value = argc > 1 ? argv[1] : NULL;
	char home[4096], buf[32];
	struct runtime *rt;
	struct sh_error err;
	int rc = 0, ok;

	if (argc > 2)
		return cli_usage("config", "unexpected argument '%s'", argv[2]);
	if (key && !is_host_key(key)) {
		const char *near = cli_nearest(key, host_keys);
		return cli_usage("config",
		                 "'%s' is not a host-wide key%s%s%s; they are "
		                 "timeout, artifacts-call-max, artifacts-max, "
		                 "artifacts-keep, confirm-destructive and the "
		                 "limits rate-principal[-burst], "
		                 "rate-tool[-burst], concurrency-principal, "
		                 "concurrency-tool",
		                 key, near ? " (did you mean '" : "",
		                 near ? near : "", near ? "'?)" : "");
	}
	if (unset && value)
		return cli_usage("config", "--unset takes KEY without a VALUE");
	if (!key || (!value && !unset)) {
		if (cli_open_runtime(ctx, NULL, 0, &rt, &err) != SH_OK)
			return cli_fail(&err);
		if (key) {
			const char *v = config_host(runtime_config(rt), key);
			if (v) {
				puts(v);
			} else {
				fprintf(stderr,
				        "skillhost: the host has no %s set "
				        "(the built-in default applies)\n",
				        key);
				rc = 4;
			}
		} else {
			cJSON *o = cJSON_CreateObject();
			for (const char *const *k = host_keys; *k; k++) {
				const char *v =
				        config_host(runtime_config(rt), *k);
				if (v && ctx->json)
					cJSON_AddStringToObject(o, *k, v);
				else if (v)
					printf("host %s = %s\n", *k, v);
			}
			if (ctx->json)
				rc = cli_print_json(o, 1);
			cJSON_Delete(o);
		}
		runtime_close(rt);
		return rc;
	}
	if (value && (rc = check_policy(key, value)))
		return rc;
	if (value && ratelimit_key_check(key, value, &ok) && !ok)
		return cli_usage("config", "%s takes %s, not '%s'", key,
		                 strncmp(key, "rate-", 5) ||
		                                 strstr(key, "burst")
		                         ? "a whole number from 1 to 1000000"
		                         : "a rate like 10/s, 600/m or 1000/h",
		                 value);
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (config_update_host(home, key,
	                       normalized(key, value, buf, sizeof buf),
	                       &err) != SH_OK)
		return cli_fail(&err);
	return 0;
}

int cmd_config(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"unset", no_argument, NULL, 'u'},
	        {"skill", required_argument, NULL, 's'},
	        {"host", no_argument, NULL, 'H'},
	        {"force", no_argument, NULL, 'f'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *skill, *key = NULL, *value = NULL;
	char *skill_path = NULL;
	char home[4096], buf[32];
	struct sh_error err;
	int unset = 0, host = 0, force = 0, c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "us:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u': unset = 1; break;
		case 'H': host = 1; break;
		case 'f': force = 1; break;
		case 'j': ctx->json = 1; break;
		case 's': skill_path = optarg; break;
		case 'h': help(); return 0;
		default: return cli_usage("config", "unknown option");
		}
	}
	if (host)
		return host_config(ctx, argc - optind, argv + optind, unset);
	if (optind >= argc)
		return cli_usage("config", "which skill? give its name");
	skill = argv[optind++];
	if (optind < argc)
		key = argv[optind++];
	if (optind < argc)
		value = argv[optind++];
	if (optind < argc)
		return cli_usage("config", "unexpected argument '%s'",
		                 argv[optind]);
	if (!skilldesc_valid_skill_name(skill))
		return cli_usage("config",
		                 "'%s' is not a skill name like namespace/name",
		                 skill);
	if (!key || (!value && !unset))
		return show(ctx, skill, key);
	if (unset && value)
		return cli_usage("config", "--unset takes KEY without a VALUE");
	if (!*key || strlen(key) > 128)
		return cli_usage("config", "KEY must be 1-128 characters");
	if (value && is_policy(key) && (rc = check_policy(key, value)))
		return rc;
	if (!is_policy(key) && !unset) {
		const char *near = cli_nearest(key, policy_keys);
		rc = check_setting(ctx, skill_path, skill, key, value, force);
		if (rc == NO_SKILL && near && !force) {
			/* Nothing to check against, but a near miss of a
			 * policy key is almost surely one. */
			fprintf(stderr,
			        "skillhost: error: '%s' is not a host policy "
			        "key; did you mean '%s'?\nskillhost: %s is not "
			        "installed, so its own settings cannot be "
			        "checked; --force stores '%s' as a setting\n",
			        key, near, skill, key);
			return 2;
		}
		if (rc == NO_SKILL)
			fprintf(stderr,
			        "skillhost: note: %s is not installed; '%s' is "
			        "stored unchecked (give --skill FILE.so to "
			        "check it against the skill's schema)\n",
			        skill, key);
		else if (rc)
			return rc;
	}
	if ((rc = cli_home(ctx, home, sizeof home)))
		return rc;
	if (config_update(
	            home, skill, is_policy(key) ? "policy" : "settings", key,
	            is_policy(key) ? normalized(key, value, buf, sizeof buf)
	                           : value,
	            &err) != SH_OK)
		return cli_fail(&err);
	return 0;
}
