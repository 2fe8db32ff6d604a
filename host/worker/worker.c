/*
 * skillhost-worker - runs skill code away from the host process.
 *
 *   skillhost-worker --probe LIB [--bundle DIR]
 *       Load LIB, check its ABI, run its init and fini, and print the
 *       description it declares as JSON on stdout. Exit 0 on success, 3
 *       with the reason on stderr when the skill is refused. Used by the
 *       installer, so a skill that crashes on load fails the install.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "exec_inproc.h"
#include "hostapi.h"
#include "hostlog.h"
#include "loader.h"
#include "probe.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

static void limit(int resource, rlim_t value)
{
	struct rlimit rl = {value, value};
	setrlimit(resource, &rl);
}

static int probe(const char *lib, const char *bundle)
{
	struct host_services svc = {0};
	struct loaded_skill *ls;
	struct executor *ex;
	struct sh_error e;
	cJSON *j;
	char *s;

	limit(RLIMIT_CPU, PROBE_CPU_SECONDS);
#ifndef SANITIZED
	/* AddressSanitizer reserves terabytes of address space for its
	 * shadow; an address-space cap only makes sense without it. */
	limit(RLIMIT_AS, PROBE_MEMORY_MAX);
#endif
	limit(RLIMIT_CORE, 0);
	if (loader_open(lib, &ls, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return 3;
	}
	j = skilldesc_to_json(ls->desc);
	if (exec_inproc_open(ls, &svc, bundle, &ex, &e) != SH_OK) {
		fprintf(stderr, "%s\n", e.msg);
		cJSON_Delete(j);
		return 3;
	}
	ex->ops->destroy(ex);
	s = j ? cJSON_PrintUnformatted(j) : NULL;
	if (!s) {
		fprintf(stderr, "out of memory\n");
		return 5;
	}
	puts(s);
	free(s);
	cJSON_Delete(j);
	return fflush(stdout) == 0 ? 0 : 5;
}

int main(int argc, char **argv)
{
	const char *lib = NULL, *bundle = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--probe") && i + 1 < argc)
			lib = argv[++i];
		else if (!strcmp(argv[i], "--bundle") && i + 1 < argc)
			bundle = argv[++i];
		else {
			fprintf(stderr,
			        "usage: skillhost-worker --probe LIB [--bundle "
			        "DIR]\n(an internal helper of skillhost)\n");
			return 2;
		}
	}
	if (!lib) {
		fprintf(stderr, "skillhost-worker: give --probe LIB\n");
		return 2;
	}
	/* Only errors: stdout carries the description. */
	hostlog_set_level(SKILL_LOG_ERROR);
	return probe(lib, bundle);
}
