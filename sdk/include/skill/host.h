/*
 * skill/host.h - the services a host offers to a skill.
 *
 * The host passes a skill_host_t to init() and to every invoke(). It is owned
 * by the host, one per loaded skill, and stays valid until after fini()
 * returns. Every function pointer in it is non-NULL for the ABI minor that
 * struct_size covers; test members appended later with SKILL_HAS().
 *
 * Memory never crosses the boundary to be freed on the other side:
 * - everything a skill passes in is borrowed for the duration of the host
 *   function and copied if the host needs it later;
 * - everything the host returns is borrowed, valid until the end of the
 *   current call (or as stated), and must not be freed by the skill.
 *
 * Nothing here assumes the skill shares an address space with the host
 * beyond one function call, so the same binary runs in-process or in an
 * isolated worker process that forwards these calls over a socket.
 */
#ifndef SKILL_HOST_H
#define SKILL_HOST_H

#include "status.h"
#include "version.h"

/*
 * The per-call context: opaque, owned by the host, valid only while the
 * invoke() it was passed to is running. Pass it back to the call-scoped
 * services below. Never keep it after invoke() returns, and never use it
 * from a thread that outlives the call.
 */
typedef struct skill_call skill_call_t;

/* Log levels: the eight levels of MCP logging (RFC 5424 severities). A
 * fixed-width parameter type (see status.h for why not the enum type). */
typedef int32_t skill_log_level;

enum skill_log_level_value {
	SKILL_LOG_DEBUG = 0,
	SKILL_LOG_INFO = 1,
	SKILL_LOG_NOTICE = 2,
	SKILL_LOG_WARNING = 3,
	SKILL_LOG_ERROR = 4,
	SKILL_LOG_CRITICAL = 5,
	SKILL_LOG_ALERT = 6,
	SKILL_LOG_EMERGENCY = 7
};

/* remaining_ms() value when the call has no deadline. */
#define SKILL_NO_DEADLINE INT64_MAX

/* An embedded resource (MCP "resource" content). Exactly one of text and
 * blob is set. Owned by the skill; copied by the host. */
typedef struct skill_resource {
	uint32_t struct_size;
	const char *uri; /* required, e.g. "file:///x.txt" or "mem://id" */
	const char *mime_type; /* optional */
	const char *text;      /* UTF-8 text, or NULL */
	size_t text_len;       /* or SKILL_NUL_TERMINATED */
	const void *blob; /* binary bytes (the host base64-encodes), or NULL */
	size_t blob_len;
} skill_resource_t;

/* A link to a resource the client may fetch (MCP "resource_link" content).
 * Owned by the skill; copied by the host. */
typedef struct skill_resource_link {
	uint32_t struct_size;
	const char *uri;         /* required */
	const char *name;        /* required: a short identifier */
	const char *title;       /* optional */
	const char *description; /* optional */
	const char *mime_type;   /* optional */
	int64_t size;            /* size in bytes, or -1 if unknown */
} skill_resource_link_t;

typedef struct skill_host skill_host_t;

struct skill_host {
	/*
	 * Since 1.0. Members are grouped by the ABI minor that added them, in
	 * order; a later group starts with a "since 1.N" heading. A skill
	 * built for 1.N tests a member of a later group with SKILL_HAS()
	 * before it reads it.
	 */

	/* sizeof(skill_host_t) of the host's build. */
	uint32_t struct_size;
	/* The ABI the host was built against. */
	skill_abi_t abi;
	/* The host's name and version, e.g. "skillhost" "0.1.0". Static. */
	const char *name;
	const char *version;

	/* [thread-safe] Look up a host extension by string ID, e.g.
	 * "skill.config/1". Returns the extension's vtable, owned by the host
	 * and valid as long as this skill_host_t, or NULL when the host does
	 * not offer it: every caller must handle NULL. */
	const void *(*get_extension)(const skill_host_t *host, const char *id);

	/* [thread-safe] Log a message. call may be NULL (from init or fini, or
	 * outside a call); with a call the message is tied to it and may reach
	 * the client (MCP notifications/message). msg is borrowed. Never put
	 * secrets in it. */
	void (*log)(const skill_host_t *host, skill_call_t *call,
	            skill_log_level level, const char *msg);

	/* [call] Report progress. progress must increase from one report to
	 * the next; total <= 0 means unknown. message is optional and
	 * borrowed. Cheap when nobody listens. */
	void (*progress)(skill_call_t *call, double progress, double total,
	                 const char *message);

	/* [call] Returns 1 once the caller has cancelled this call or its
	 * deadline has passed, else 0. Cancellation is cooperative: poll it in
	 * long loops and return SKILL_ERR_CANCELLED promptly. */
	int32_t (*is_cancelled)(skill_call_t *call);

	/* [call] Milliseconds left until the call's deadline, 0 once it has
	 * passed, or SKILL_NO_DEADLINE. */
	int64_t (*remaining_ms)(skill_call_t *call);

	/* [call] Append a text content block. text is UTF-8, borrowed and
	 * copied; len may be SKILL_NUL_TERMINATED. Returns SKILL_ERR_ARGS for
	 * invalid UTF-8, SKILL_ERR_NOMEM past the host's result-size cap. */
	skill_status (*result_text)(skill_call_t *call, const char *text,
	                            size_t len);

	/* [call] Set the structured result (MCP structuredContent): JSON text
	 * whose root is an object; borrowed and copied. At most once per call.
	 * When the tool declares an output schema the host validates it, and
	 * adds the serialized text block if the tool wrote no text. Returns
	 * SKILL_ERR_ARGS for malformed JSON or a non-object root. */
	skill_status (*result_json)(skill_call_t *call, const char *json,
	                            size_t len);

	/* [call] Append an image or audio content block: raw bytes (the host
	 * base64-encodes) with a MIME type starting "image/" or "audio/".
	 * Borrowed and copied. */
	skill_status (*result_media)(skill_call_t *call, const char *mime_type,
	                             const void *data, size_t len);

	/* [call] Append an embedded resource. Borrowed and copied. */
	skill_status (*result_resource)(skill_call_t *call,
	                                const skill_resource_t *resource);

	/* [call] Append a resource link. Borrowed and copied. */
	skill_status (*result_link)(skill_call_t *call,
	                            const skill_resource_link_t *link);

	/* [call] Mark the call failed with a message for the model (MCP
	 * isError). Say what was wrong and what to do instead; it replaces any
	 * content written so far. Return SKILL_ERR_TOOL from invoke after it.
	 */
	skill_status (*tool_error)(skill_call_t *call, const char *message);

	/*
	 * Argument accessors. The host has already parsed and validated the
	 * arguments, so simple tools need no JSON parser. path is a JSON
	 * Pointer into the arguments object, with or without the leading "/":
	 * "name", "/slides/0/title". Results are borrowed until the call ends.
	 */

	/* [call] The string at path, or NULL when absent or not a string. */
	const char *(*arg_string)(skill_call_t *call, const char *path);

	/* [call] Stores the number at path in *out and returns 1, or returns 0
	 * when absent or not a number. */
	int32_t (*arg_number)(skill_call_t *call, const char *path,
	                      double *out);

	/* [call] Stores the boolean at path (0 or 1) in *out and returns 1, or
	 * returns 0 when absent or not a boolean. */
	int32_t (*arg_bool)(skill_call_t *call, const char *path, int32_t *out);

	/* [call] The number of elements of the array, or members of the
	 * object, at path; -1 when absent or neither. */
	int64_t (*arg_count)(skill_call_t *call, const char *path);

	/* [call] The value at path serialized as compact JSON text, or NULL
	 * when absent. "" or "/" yields the whole arguments object. */
	const char *(*arg_json)(skill_call_t *call, const char *path);

	/* Since 1.1: nothing yet. Append new members here, under this
	 * heading, and bump SKILL_ABI_MINOR (sdk/ABI.md). */
};

#endif /* SKILL_HOST_H */
