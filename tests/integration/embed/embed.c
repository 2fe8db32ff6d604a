/*
 * embed.c - a program that embeds libskillhost through its public API only
 * (built by test_embed.sh against the installed library).
 *
 *   embed SKILL.so inproc|isolated
 *
 * It defines functions named like libskillhost internals on purpose: with
 * the library's internals hidden, the library must keep calling its own,
 * and this program's must be called only by this program. Prints what it
 * found and exits 0 when every check passed.
 */
#include <skillhost/skillhost.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int stolen; /* calls into this program's look-alikes */

/* Names libskillhost uses inside: runtime_close() once resolved to a
 * program's own function of the same name. */
void config_free(void *c);
void runtime_close(void *rt);
long long json_int64(const void *v, long long def);
int fs_pathf(char *buf, size_t cap, void *e, const char *fmt, ...);
const char *sh_status_name(int st);

void config_free(void *c)
{
	(void)c;
	stolen++;
}

void runtime_close(void *rt)
{
	(void)rt;
	stolen++;
}

long long json_int64(const void *v, long long def)
{
	(void)v;
	stolen++;
	return def;
}

int fs_pathf(char *buf, size_t cap, void *e, const char *fmt, ...)
{
	(void)buf, (void)cap, (void)e, (void)fmt;
	stolen++;
	return -1;
}

const char *sh_status_name(int st)
{
	(void)st;
	stolen++;
	return "stolen";
}

static int failures;

static void check(int ok, const char *what, const char *detail)
{
	printf("%s: %s%s%s\n", ok ? "ok" : "FAIL", what, detail ? ": " : "",
	       detail ? detail : "");
	failures += !ok;
}

int main(int argc, char **argv)
{
	const char *files[2] = {NULL, NULL};
	skillhost_options o;
	skillhost_runtime *rt = NULL;
	skillhost_error e;
	skillhost_status st;
	char *json = NULL;

	if (argc != 3) {
		fprintf(stderr, "usage: embed SKILL.so inproc|isolated\n");
		return 2;
	}
	files[0] = argv[1];
	memset(&o, 0, sizeof o);
	o.struct_size = sizeof o;
	o.skill_files = files;
	o.no_store = 1;
	o.files_in_process = !strcmp(argv[2], "inproc");
	o.caller = "embed-test";

	check(strcmp(skillhost_version(), "") != 0, "version",
	      skillhost_version());
	check(!strcmp(skillhost_status_name(SKILLHOST_ERR_NOTFOUND),
	              "not-found"),
	      "status name", skillhost_status_name(SKILLHOST_ERR_NOTFOUND));

	st = skillhost_open(&o, &rt, &e);
	check(st == SKILLHOST_OK && rt, "open", st ? e.message : NULL);
	if (st != SKILLHOST_OK)
		return 1;

	st = skillhost_list_tools(rt, &json, &e);
	check(st == SKILLHOST_OK && json && strstr(json, "\"inputSchema\"") &&
	              strstr(json, "greet"),
	      "list tools", st ? e.message : json);
	skillhost_free(json);

	st = skillhost_call(rt, "example/hello.greet", "{\"name\":\"Ada\"}", 0,
	                    &json, &e);
	check(st == SKILLHOST_OK && json && strstr(json, "Hello, Ada!"), "call",
	      st ? e.message : json);
	skillhost_free(json);

	/* Arguments that fail the input schema: a tool error the model reads,
	 * not a failure of the host. */
	st = skillhost_call(rt, "example/hello.greet", "{\"name\":42}", 5000,
	                    &json, &e);
	check(st == SKILLHOST_ERR_TOOL && json && strstr(json, "\"isError\""),
	      "invalid arguments are a tool error", json ? json : e.message);
	skillhost_free(json);

	st = skillhost_call(rt, "example/hello.nope", NULL, 0, &json, &e);
	check(st == SKILLHOST_ERR_NOTFOUND && !json && e.message[0],
	      "unknown tool", e.message);

	st = skillhost_call(rt, "example/hello.greet", "{", 0, &json, &e);
	check(st != SKILLHOST_OK, "malformed JSON is refused", e.message);
	skillhost_free(json);

	skillhost_close(rt);

	files[0] = "/nonexistent/skill.so";
	st = skillhost_open(&o, &rt, &e);
	check(st != SKILLHOST_OK && !rt && strstr(e.message, "/nonexistent"),
	      "a missing skill file is refused, naming it", e.message);

	o.struct_size = sizeof o + 8;
	st = skillhost_open(&o, &rt, &e);
	check(st == SKILLHOST_ERR_USAGE && !rt, "wrong struct_size refused",
	      e.message);

	check(stolen == 0,
	      "the library called none of this program's "
	      "look-alike functions",
	      NULL);
	/* And this program's own names still work for it. */
	runtime_close(NULL);
	config_free(NULL);
	check(stolen == 2, "the program's own runtime_close/config_free", NULL);
	return failures ? 1 : 0;
}
