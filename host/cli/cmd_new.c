/*
 * cmd_new.c - `skillhost new`: scaffold an out-of-tree skill project.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <skill/version.h>

#include "commands.h"
#include "fsutil.h"
#include "skilldesc.h"

static void help(void)
{
	puts("usage: skillhost new NAMESPACE/NAME [--dir DIR]\n"
	     "\n"
	     "Create a skill project in DIR (default: ./NAME) that builds\n"
	     "against the installed SDK:\n"
	     "  CMakeLists.txt  find_package(SkillSDK) and skill_add_skill()\n"
	     "  NAME.c          one example tool\n"
	     "  manifest.json   the package manifest\n"
	     "  README.md       how to build, package, sign and publish it\n"
	     "  .gitignore      build/ and key files (*.sec, *.key)\n"
	     "Then: cmake -S DIR -B DIR/build && cmake --build DIR/build &&\n"
	     "      skillhost call NAMESPACE/NAME.hello '{}' "
	     "--skill DIR/build/NAME.so\n"
	     "Package: cmake --build DIR/build --target package-skill");
}

/* NAME with '-' turned into '_', usable as a C identifier and file name. */
static void c_ident(const char *name, char *out, size_t cap)
{
	size_t j = 0;

	for (const char *p = name; *p && j + 1 < cap; p++)
		out[j++] = *p == '-' ? '_' : *p;
	out[j] = '\0';
}

static int write_file(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	struct sh_error err;

	if (fs_join(path, sizeof path, dir, file, &err) != SH_OK ||
	    fs_write_atomic(path, text, strlen(text), 0644, &err) != SH_OK)
		return cli_fail(&err);
	return 0;
}

int cmd_new(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"dir", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *name, *base, *dir = NULL;
	char ident[80], buf[8192], ns[80], dashed[200];
	struct sh_error err;
	int c, rc;

	(void)ctx;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'h': help(); return 0;
		default: return cli_usage("new", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage("new", "give one name, like acme/weather");
	name = argv[optind];
	if (!skilldesc_valid_skill_name(name))
		return cli_usage(
		        "new",
		        "'%s' is not a skill name: use namespace/name, "
		        "lower-case letters, digits and '-'",
		        name);
	base = strchr(name, '/') + 1;
	snprintf(ns, sizeof ns, "%.*s", (int)(base - 1 - name), name);
	snprintf(dashed, sizeof dashed, "%s-%s", ns, base);
	c_ident(base, ident, sizeof ident);
	if (!dir)
		dir = base;
	if (fs_exists(dir) && !fs_is_dir(dir))
		return cli_usage("new", "%s exists and is not a folder", dir);
	{
		char probe[PATH_MAX];
		snprintf(probe, sizeof probe, "%s/CMakeLists.txt", dir);
		if (fs_exists(probe)) {
			fprintf(stderr,
			        "skillhost: error: %s already holds a project; "
			        "choose another --dir\n",
			        dir);
			return 5;
		}
	}
	if (fs_mkdirs(dir, 0755, &err) != SH_OK)
		return cli_fail(&err);

	snprintf(buf, sizeof buf,
	         "cmake_minimum_required(VERSION 3.20)\n"
	         "project(%s LANGUAGES C)\n"
	         "\n"
	         "# The installed SDK: headers plus skill_add_skill(), which\n"
	         "# builds a shared object exporting only skill_entry_v1.\n"
	         "find_package(SkillSDK 0.1 REQUIRED)\n"
	         "\n"
	         "# MANIFEST: manifest.json is the one source of the name and\n"
	         "# version (the code gets them from <skill_manifest.h>), the\n"
	         "# build stages the package in build/package/, and\n"
	         "# `cmake --build build --target package-skill` packs it.\n"
	         "skill_add_skill(%s SOURCES %s.c MANIFEST manifest.json)\n",
	         ident, base, ident);
	if ((rc = write_file(dir, "CMakeLists.txt", buf)))
		return rc;

	snprintf(buf, sizeof buf,
	         "/* %s - a skill for skillhost. */\n"
	         "#include <stdio.h>\n"
	         "\n"
	         "#include <skill/skill.h>\n"
	         "\n"
	         "/* SKILL_MANIFEST_NAME and SKILL_MANIFEST_VERSION, generated "
	         "from\n"
	         " * manifest.json by the build: change the version there. */\n"
	         "#include \"skill_manifest.h\"\n"
	         "\n"
	         "static const skill_tool_t hello = {\n"
	         "\t.struct_size = sizeof(skill_tool_t),\n"
	         "\t.name = \"hello\",\n"
	         "\t.title = \"Say hello\",\n"
	         "\t.description = \"Greet someone. Replace this with what "
	         "your tool does.\",\n"
	         "\t.input_schema = \"{\\\"type\\\":\\\"object\\\","
	         "\\\"properties\\\":{\\\"who\\\":{\\\"type\\\":"
	         "\\\"string\\\"}},\\\"additionalProperties\\\":false}\",\n"
	         "\t.read_only = SKILL_HINT_YES,\n"
	         "\t.destructive = SKILL_HINT_NO,\n"
	         "\t.idempotent = SKILL_HINT_YES,\n"
	         "\t.open_world = SKILL_HINT_NO,\n"
	         "};\n"
	         "\n"
	         "static const skill_tool_t *const tools[] = {&hello};\n"
	         "\n"
	         "static skill_status invoke(void *data, const skill_host_t "
	         "*host,\n"
	         "                           skill_call_t *call, uint32_t "
	         "tool,\n"
	         "                           const char *args, size_t len)\n"
	         "{\n"
	         "\tconst char *who = host->arg_string(call, \"who\");\n"
	         "\tchar text[256];\n"
	         "\n"
	         "\t(void)data, (void)tool, (void)args, (void)len;\n"
	         "\tsnprintf(text, sizeof text, \"Hello, %%s!\", who ? who : "
	         "\"world\");\n"
	         "\treturn host->result_text(call, text, "
	         "SKILL_NUL_TERMINATED);\n"
	         "}\n"
	         "\n"
	         "static const skill_entry_t entry = {\n"
	         "\t.struct_size = sizeof entry,\n"
	         "\t.abi = SKILL_ABI_CURRENT,\n"
	         "\t.name = SKILL_MANIFEST_NAME,\n"
	         "\t.version = SKILL_MANIFEST_VERSION,\n"
	         "\t.description = \"Describe what %s does.\",\n"
	         "\t.license = \"MIT\",\n"
	         "\t.tool_count = 1,\n"
	         "\t.tools = tools,\n"
	         "\t.invoke = invoke,\n"
	         "};\n"
	         "\n"
	         "SKILL_EXPORT const skill_entry_t *skill_entry_v1(void)\n"
	         "{\n"
	         "\treturn &entry;\n"
	         "}\n",
	         name, name);
	{
		char file[96];
		snprintf(file, sizeof file, "%s.c", ident);
		if ((rc = write_file(dir, file, buf)))
			return rc;
	}

	snprintf(buf, sizeof buf,
	         "{\n"
	         "  \"name\": \"%s\",\n"
	         "  \"version\": \"0.1.0\",\n"
	         "  \"abi\": %d,\n"
	         "  \"description\": \"Describe what %s does.\",\n"
	         "  \"license\": \"MIT\",\n"
	         "  \"platforms\": {\"x86_64-linux-gnu\": "
	         "\"lib/x86_64-linux-gnu/%s.so\"},\n"
	         "  \"tools\": [{\"name\": \"hello\", \"description\": "
	         "\"Greet someone.\"}],\n"
	         "  \"permissions\": {\"network\": [], \"secrets\": [], "
	         "\"filesystem\": []}\n"
	         "}\n",
	         name, SKILL_ABI_MAJOR, name, base);
	if ((rc = write_file(dir, "manifest.json", buf)))
		return rc;

	snprintf(buf, sizeof buf,
	         "# %s\n"
	         "\n"
	         "A skill for skillhost, built against skill ABI %d.\n"
	         "\n"
	         "`manifest.json` is the one place for the name, version, "
	         "tools and\npermissions: the build hands the name and "
	         "version to the code\n(`skill_manifest.h`), and `skillhost "
	         "pack` refuses a package whose\ncode disagrees with it.\n"
	         "\n"
	         "## Build and try it\n"
	         "\n"
	         "    cmake -S . -B build && cmake --build build\n"
	         "    skillhost tools --skill build/%s.so\n"
	         "    skillhost call %s.hello '{\"who\":\"Ada\"}' --skill "
	         "build/%s.so\n"
	         "\n"
	         "## Package\n"
	         "\n"
	         "The build stages the package in `build/package/` (the "
	         "manifest and\n`lib/<platform>/%s.so`); this packs it into "
	         "`build/%s-VERSION.skill`:\n"
	         "\n"
	         "    cmake --build build --target package-skill\n"
	         "\n"
	         "## Sign\n"
	         "\n"
	         "Make a publisher key once, outside this folder or at least "
	         "never\ncommitted (`.gitignore` lists `*.sec` and `*.key`). "
	         "keygen asks for a\npassword that encrypts the secret key:\n"
	         "\n"
	         "    skillhost keygen -p ~/keys/%s.pub -s ~/keys/%s.sec\n"
	         "    skillhost sign build/%s-VERSION.skill -s ~/keys/%s.sec\n"
	         "\n"
	         "Or let the build do both: configure with\n"
	         "`-DSKILL_PUBLIC_KEY=~/keys/%s.pub "
	         "-DSKILL_SIGNING_KEY=~/keys/%s.sec`\n"
	         "(and `-DSKILL_PASSWORD_FILE=...` in CI).\n"
	         "\n"
	         "## Publish\n"
	         "\n"
	         "Give users `%s.pub` and the package with its `.minisig`:\n"
	         "\n"
	         "    skillhost trust add %s.pub --namespace %s\n"
	         "    skillhost install %s-VERSION.skill\n"
	         "\n"
	         "or ask a registry operator to add it:\n"
	         "`skillreg add REGISTRY %s-VERSION.skill`.\n",
	         name, SKILL_ABI_MAJOR, base, name, base, base, dashed, ns, ns,
	         dashed, ns, ns, ns, ns, ns, ns, dashed, dashed);
	if ((rc = write_file(dir, "README.md", buf)))
		return rc;
	/* Secret keys never belong in the repository, however they are
	 * named: skillhost's and minisign's conventions both. */
	if ((rc = write_file(dir, ".gitignore",
	                     "build/\n*.sec\n*.key\n*.skill\n*.minisig\n")))
		return rc;
	printf("created %s in %s\n"
	       "next: cmake -S %s -B %s/build && cmake --build %s/build\n"
	       "then: cmake --build %s/build --target package-skill\n",
	       name, dir, dir, dir, dir, dir);
	return 0;
}
