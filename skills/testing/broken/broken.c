/*
 * testing/broken-* - one deliberately broken skill per ABI refusal. The
 * build compiles this file once per variant (BROKEN_<VARIANT>); the host
 * must refuse each with a message naming the field, except FUTURE_MINOR,
 * which a newer SDK could produce and the host must accept.
 */
#include <signal.h>
#include <stddef.h>

#include <skill/skill.h>

#ifdef BROKEN_BAD_MAJOR
#undef SKILL_ABI_MAJOR
#define SKILL_ABI_MAJOR 2
#endif

#define SCHEMA "{\"type\":\"object\"}"

#if defined(BROKEN_BAD_TOOL_NAME)
#define TOOL_NAME "bad name!"
#else
#define TOOL_NAME "ok"
#endif

#if defined(BROKEN_SCHEMA_NOT_OBJECT)
#define INPUT "{\"type\":\"string\"}"
#elif defined(BROKEN_SCHEMA_BAD_JSON)
#define INPUT "{\"type\":\"object\""
#elif defined(BROKEN_SCHEMA_BAD_KEYWORD)
#define INPUT "{\"type\":\"object\",\"properties\":{\"n\":{\"minimum\":\"3\"}}}"
#elif defined(BROKEN_NULL_SCHEMA)
#define INPUT NULL
#else
#define INPUT SCHEMA
#endif

static const skill_tool_t tool = {
#ifdef BROKEN_TOOL_STRUCT_SMALL
        .struct_size = 8,
#else
        .struct_size = sizeof(skill_tool_t),
#endif
        .name = TOOL_NAME,
        .description = "A tool.",
        .input_schema = INPUT,
#ifdef BROKEN_BAD_HINT
        .read_only = (skill_hint)7,
#endif
#ifdef BROKEN_REQUIRES_UNKNOWN_EXT
        .requires_ext = (const char *const[]){"com.example.teleport/1", NULL},
#endif
};

static const skill_tool_t tool2 = {.struct_size = sizeof(skill_tool_t),
                                   .name = "ok",
                                   .description = "The same name again.",
                                   .input_schema = SCHEMA};

#ifdef BROKEN_DUP_TOOLS
static const skill_tool_t *const tools[] = {&tool, &tool2};
#define NTOOLS 2
#else
static const skill_tool_t *const tools[] = {&tool};
#define NTOOLS 1
#endif

static skill_status invoke(void *data, const skill_host_t *host,
                           skill_call_t *call, uint32_t t, const char *args,
                           size_t len)
{
	(void)data, (void)t, (void)args, (void)len;
	return host->result_text(call, "ok", SKILL_NUL_TERMINATED);
}

static skill_status init(const skill_host_t *host, const char *dir, void **data)
{
	(void)dir, (void)data;
#if defined(BROKEN_INIT_FAILS)
	host->log(host, NULL, SKILL_LOG_ERROR,
	          "broken on purpose: init refuses to start");
	return SKILL_ERR_INTERNAL;
#elif defined(BROKEN_CRASH_INIT)
	(void)host;
	(void)raise(SIGSEGV);
	return SKILL_OK;
#else
	(void)host;
	return SKILL_OK;
#endif
}

#ifdef BROKEN_FUTURE_MINOR
/* What a skill built with a newer SDK minor looks like: the v1.0 layout
 * followed by a field this host does not know. */
struct future_entry {
	skill_entry_t v1_0;
	const char *homepage;
};
#endif

#if defined(BROKEN_FUTURE_MINOR)
static const struct future_entry fentry = {
        .v1_0 =
                {
                        .struct_size = sizeof(struct future_entry),
                        .abi = {SKILL_ABI_MAJOR, SKILL_ABI_MINOR + 5,
                                (uint16_t)sizeof(void *), 0},
#else
static const skill_entry_t entry = {
#endif
#if defined(BROKEN_SMALL_STRUCT)
                        .struct_size = offsetof(skill_entry_t, tools),
#elif defined(BROKEN_TOO_SMALL_ABI)
        .struct_size = 4,
#elif !defined(BROKEN_FUTURE_MINOR)
.struct_size = sizeof(skill_entry_t),
#endif
#if defined(BROKEN_PTR_SIZE)
                        .abi = {SKILL_ABI_MAJOR, SKILL_ABI_MINOR, 4, 0},
#elif !defined(BROKEN_FUTURE_MINOR)
        .abi = SKILL_ABI_CURRENT,
#endif
#if defined(BROKEN_NULL_NAME)
                        .name = NULL,
#elif defined(BROKEN_BAD_SKILL_NAME)
        .name = "NoNamespace",
#else
        .name = "testing/broken",
#endif
#if defined(BROKEN_BAD_VERSION)
                        .version = "1.0",
#else
        .version = "1.0.0",
#endif
                        .description = "Test fixture: broken on purpose.",
#if defined(BROKEN_NO_TOOLS)
                        .tool_count = 0,
#else
        .tool_count = NTOOLS,
#endif
#if defined(BROKEN_NULL_TOOLS)
                        .tools = NULL,
#else
        .tools = tools,
#endif
                        .init = init,
#if !defined(BROKEN_NULL_INVOKE)
                        .invoke = invoke,
#endif
#if defined(BROKEN_FUTURE_MINOR)
                },
        .homepage = "https://example.com",
};
#define ENTRY (&fentry.v1_0)
#else
};
#define ENTRY (&entry)
#endif

#if defined(BROKEN_NO_ENTRY)
SKILL_EXPORT const skill_entry_t *skill_entry_typo(void);
SKILL_EXPORT const skill_entry_t *skill_entry_typo(void)
{
	return ENTRY;
}
#elif defined(BROKEN_V2_ONLY)
SKILL_EXPORT const skill_entry_t *skill_entry_v2(void);
SKILL_EXPORT const skill_entry_t *skill_entry_v2(void)
{
	return ENTRY;
}
#else
        SKILL_EXPORT const skill_entry_t *skill_entry_v1(void)
{
#if defined(BROKEN_NULL_ENTRY)
	return NULL;
#elif defined(BROKEN_CRASH_ENTRY)
	(void)raise(SIGSEGV);
	return ENTRY;
#else
	return ENTRY;
#endif
}
#endif
