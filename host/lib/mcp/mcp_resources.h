/*
 * mcp_resources.h - MCP resources: the artifacts a session's calls made,
 * and what skills publish through skill.resources/1.
 *
 * Artifacts. A tool result goes to an MCP client only after
 * mcp_artifacts_adopt(): each resource_link to an artifact is given the
 * URI skillhost://artifacts/<id> (the same on stdio and HTTP) and is
 * remembered by the session, and the artifact's local path, file:// URI
 * and HTTP URL are replaced by that URI wherever the result names them
 * (a skill's structuredContent.path included), so no server path reaches
 * a client. A session lists and reads only its own artifacts; a stateless
 * HTTP server (no session outlives a request) reads any artifact by id,
 * which is a random capability and the bearer token still guards it.
 *
 * Reads are capped at MCP_RESOURCE_READ_MAX bytes; a larger artifact is
 * refused naming its size and the HTTP download. Text types are returned
 * as "text" when they are valid UTF-8, everything else as base64 "blob".
 *
 * Subscriptions: resources/subscribe accepts a URI the session could
 * read. Artifacts never change once made; a declared resource changes
 * only with the catalog, so the server sends notifications/resources/
 * updated for every subscribed URI when the catalog changes.
 *
 * Threads: [thread-safe] throughout; a session's artifact list has its own
 * lock.
 */
#ifndef SH_MCP_RESOURCES_H
#define SH_MCP_RESOURCES_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct runtime;
struct dispatch_opts;
struct host_services;
struct call_result;
struct mcp_artifacts;
struct profile;

#define MCP_ARTIFACT_SCHEME   "skillhost://artifacts/"
#define MCP_ARTIFACT_TEMPLATE "skillhost://artifacts/{id}"
/* The largest resource resources/read returns (before base64). */
#define MCP_RESOURCE_READ_MAX (16u * 1024 * 1024)
/* Artifacts one session remembers; the oldest are forgotten past it. */
#define MCP_SESSION_ARTIFACTS_MAX 4096
/* MCP's "resource not found" error code. */
#define MCP_ERR_RESOURCE_NOT_FOUND (-32002)

/* A session's artifacts (and resource subscriptions). NULL when out of
 * memory. */
struct mcp_artifacts *mcp_artifacts_new(void);
void mcp_artifacts_free(struct mcp_artifacts *a);

/* 1 when the session's calls made artifact id. */
int mcp_artifacts_has(struct mcp_artifacts *a, const char *id);

/* Rewrite res for an MCP client and remember its artifacts (see above).
 * svc may be NULL (no artifacts: nothing to do). Returns how many
 * artifacts the session did not know before. */
size_t mcp_artifacts_adopt(struct mcp_artifacts *a,
                           const struct host_services *svc,
                           struct call_result *res);

/*
 * The methods. Each returns the result object (caller frees), or NULL
 * with *code set to the JSON-RPC error code and msg to the message.
 * params is the request's params (may be NULL). any_artifact: the
 * session may read every artifact (stateless HTTP). o (may be NULL)
 * carries the cancel flag and services for skill callbacks (a skill's
 * list of its dynamic resources, a dynamic template's read, a
 * completion), which run like tool calls and may take as long: callers
 * run these methods off the transport's thread. prof is the caller's
 * profile (NULL: all): the resources and templates of a skill outside it
 * are neither listed nor read ("not found"), and its skill callbacks are
 * not run (mcp_skill_in_profile).
 */
cJSON *mcp_resources_list(struct runtime *rt, const struct profile *prof,
                          struct mcp_artifacts *a, const cJSON *params,
                          size_t page, const struct dispatch_opts *o, int *code,
                          char *msg, size_t cap);
cJSON *mcp_resources_templates_list(struct runtime *rt,
                                    const struct profile *prof,
                                    const cJSON *params, size_t page, int *code,
                                    char *msg, size_t cap);
cJSON *mcp_resources_read(struct runtime *rt, const struct profile *prof,
                          struct mcp_artifacts *a, int any_artifact,
                          const cJSON *params, const struct dispatch_opts *o,
                          int *code, char *msg, size_t cap);
/* resources/subscribe (on = 1) and resources/unsubscribe (on = 0). */
cJSON *mcp_resources_subscribe(struct runtime *rt, const struct profile *prof,
                               struct mcp_artifacts *a, int any_artifact,
                               const cJSON *params, int on, int *code,
                               char *msg, size_t cap);

/* [thread-safe] Call fn(ud, uri) for each URI the session subscribed to
 * (under the session's artifact lock: fn must not call back into a). */
void mcp_artifacts_each_sub(struct mcp_artifacts *a,
                            void (*fn)(void *ud, const char *uri), void *ud);

/* completion/complete for a ref/resource: the values of variable arg of
 * template uri that start with prefix. */
cJSON *mcp_resources_complete(struct runtime *rt, const struct profile *prof,
                              struct mcp_artifacts *a, const char *uri,
                              const char *arg, const char *prefix,
                              const struct dispatch_opts *o, int *code,
                              char *msg, size_t cap);

/* A completion result from a skill's skill.completion/1 for ref
 * ("prompt:NAME" or "resource:TEMPLATE"): the values it wrote, capped; an
 * empty one when it offers none. NULL with the error set when it fails. */
cJSON *mcp_complete_by_skill(struct runtime *rt, const char *skill,
                             const char *ref, const char *arg,
                             const char *prefix, const struct dispatch_opts *o,
                             int *code, char *msg, size_t cap);

#endif /* SH_MCP_RESOURCES_H */
