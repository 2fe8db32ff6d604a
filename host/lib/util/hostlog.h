/*
 * hostlog.h - the host's operator log on stderr.
 *
 * One line per message: "skillhost: <level>: [skill: ]message" (another
 * program that links the library names itself with hostlog_set_program).
 * Control characters in messages are replaced, so a skill cannot forge lines.
 * Thread-safe. Never pass secret values.
 */
#ifndef SH_HOSTLOG_H
#define SH_HOSTLOG_H

#include <skill/host.h>

/* Messages below min are dropped. Default SKILL_LOG_NOTICE, or the level
 * named by $SKILLHOST_LOG_LEVEL. Pass SKILL_LOG_EMERGENCY + 1 to silence. */
void hostlog_set_level(int min);
int hostlog_level(void);

/* The program name lines start with (default "skillhost"). name must stay
 * valid; call it once at startup, before any thread logs. */
void hostlog_set_program(const char *name);

void hostlog(skill_log_level level, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* A message a skill logged. skill may be NULL. */
void hostlog_skill(const char *skill, skill_log_level level, const char *msg);

/* "debug", "info", ... "emergency" (MCP's names). */
const char *hostlog_level_name(skill_log_level level);

/* Parse an MCP level name; returns 1 on success. */
int hostlog_level_parse(const char *name, skill_log_level *out);

#endif /* SH_HOSTLOG_H */
