/*
 * hostlog.c - the operator log. See hostlog.h.
 */
#include "hostlog.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOSTLOG_LINE_MAX 4096
#define LEVEL_UNSET      (-1)

static atomic_int min_level = LEVEL_UNSET;
static const char *program = "skillhost";

void hostlog_set_program(const char *name)
{
	program = name;
}

static const char *const level_names[] = {"debug",   "info",     "notice",
                                          "warning", "error",    "critical",
                                          "alert",   "emergency"};

const char *hostlog_level_name(skill_log_level level)
{
	if ((int)level < 0 || (int)level > SKILL_LOG_EMERGENCY)
		return "unknown";
	return level_names[level];
}

int hostlog_level_parse(const char *name, skill_log_level *out)
{
	for (int i = 0; i <= SKILL_LOG_EMERGENCY; i++)
		if (name && !strcmp(name, level_names[i])) {
			*out = (skill_log_level)i;
			return 1;
		}
	return 0;
}

void hostlog_set_level(int min)
{
	atomic_store(&min_level, min);
}

int hostlog_level(void)
{
	int lvl = atomic_load(&min_level);

	if (lvl == LEVEL_UNSET) {
		skill_log_level parsed = SKILL_LOG_NOTICE;
		hostlog_level_parse(getenv("SKILLHOST_LOG_LEVEL"), &parsed);
		lvl = (int)parsed;
		atomic_store(&min_level, lvl);
	}
	return lvl;
}

static void emit(const char *skill, skill_log_level level, const char *msg)
{
	char line[HOSTLOG_LINE_MAX];
	size_t j = 0;
	int n;

	n = snprintf(line, sizeof line, "%s: %s: %s%s", program,
	             hostlog_level_name(level), skill ? skill : "",
	             skill ? ": " : "");
	j = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
	for (const char *p = msg; *p && j < sizeof line - 2; p++) {
		unsigned char ch = (unsigned char)*p;
		line[j++] = (ch < 0x20 && ch != '\t') || ch == 0x7f ? ' ' : *p;
	}
	line[j++] = '\n';
	line[j] = '\0';
	/* One fputs per line keeps concurrent lines whole (stdio locks). */
	fputs(line, stderr);
}

void hostlog(skill_log_level level, const char *fmt, ...)
{
	char msg[HOSTLOG_LINE_MAX];
	va_list ap;

	if ((int)level < hostlog_level())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(NULL, level, msg);
}

void hostlog_skill(const char *skill, skill_log_level level, const char *msg)
{
	if ((int)level < hostlog_level() || !msg)
		return;
	emit(skill, level, msg);
}
