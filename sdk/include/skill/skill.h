/*
 * skill/skill.h - everything a skill needs: include this one header.
 *
 * Minimal skill:
 *
 *   #include <skill/skill.h>
 *   static const skill_tool_t greet = {
 *       .struct_size = sizeof(skill_tool_t), .name = "greet",
 *       .description = "Greet someone by name.",
 *       .input_schema = "{\"type\":\"object\",\"properties\":"
 *                       "{\"name\":{\"type\":\"string\"}},"
 *                       "\"required\":[\"name\"]}"};
 *   static const skill_tool_t *const tools[] = {&greet};
 *   static skill_status invoke(void *d, const skill_host_t *host,
 *                              skill_call_t *call, uint32_t tool,
 *                              const char *args, size_t len) { ... }
 *   static const skill_entry_t entry = {
 *       .struct_size = sizeof entry, .abi = SKILL_ABI_CURRENT,
 *       .name = "example/hello", .version = "1.0.0", .description = "...",
 *       .tool_count = 1, .tools = tools, .invoke = invoke};
 *   SKILL_EXPORT const skill_entry_t *skill_entry_v1(void) { return &entry; }
 */
#ifndef SKILL_SKILL_H
#define SKILL_SKILL_H

#include "entry.h"
#include "ext/artifacts.h"
#include "ext/completion.h"
#include "ext/config.h"
#include "ext/elicit.h"
#include "ext/http.h"
#include "ext/prompts.h"
#include "ext/resources.h"
#include "ext/sample.h"
#include "ext/secrets.h"
#include "host.h"
#include "status.h"
#include "tool.h"
#include "version.h"

#endif /* SKILL_SKILL_H */
