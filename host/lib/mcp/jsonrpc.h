/*
 * jsonrpc.h - JSON-RPC 2.0 framing for MCP: parse and classify one message,
 * and build responses, errors and notifications.
 *
 * MCP narrows JSON-RPC: ids are strings or integers (never null), params
 * are objects, and batches were removed in 2025-06-18, so a JSON array is
 * refused with a message saying so. Every refusal carries the JSON-RPC
 * error code to answer with and, when the id could be read, the id.
 *
 * Ids are kept as canonical JSON text ("7", "\"a-b\""): that is what a
 * response echoes, and what notifications/cancelled is matched against.
 *
 * All functions are [thread-safe]; a parsed message belongs to its caller.
 */
#ifndef SH_JSONRPC_H
#define SH_JSONRPC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "status.h"

#define JSONRPC_PARSE_ERROR      (-32700)
#define JSONRPC_INVALID_REQUEST  (-32600)
#define JSONRPC_METHOD_NOT_FOUND (-32601)
#define JSONRPC_INVALID_PARAMS   (-32602)
#define JSONRPC_INTERNAL_ERROR   (-32603)
/* The implementation-defined range starts here (busy, shutting down). */
#define JSONRPC_SERVER_ERROR (-32000)

/* Longest string id accepted, in bytes; its JSON text may be up to six
 * times longer once escaped, plus the quotes. */
#define JSONRPC_ID_MAX      256
#define JSONRPC_ID_TEXT_MAX (JSONRPC_ID_MAX * 6 + 2)
/* Integer ids must be exact in a double, like JavaScript's. */
#define JSONRPC_ID_INT_MAX 9007199254740991.0
/* Deepest nesting parsed: keeps a hostile message from exhausting the
 * stack of cJSON's recursive parser or of anything that walks the tree. */
#define JSONRPC_NESTING_MAX 128
/* Longest method name accepted. */
#define JSONRPC_METHOD_MAX 128

enum jsonrpc_kind {
	JSONRPC_REQUEST,      /* method and id */
	JSONRPC_NOTIFICATION, /* method, no id */
	JSONRPC_RESPONSE      /* result or error, and id */
};

struct jsonrpc_msg {
	enum jsonrpc_kind kind;
	cJSON *root;         /* the whole message (owned) */
	const char *method;  /* requests and notifications; in root */
	const cJSON *params; /* an object, or NULL when absent; in root */
	char id[JSONRPC_ID_TEXT_MAX + 1]; /* JSON text; "" when none */
};

/* Why a message was refused: answer with code, message and id ("null"
 * when the id could not be read). */
struct jsonrpc_refusal {
	int code;
	char message[256];
	char id[JSONRPC_ID_TEXT_MAX + 1];
};

/*
 * Parse text[0..len) as one JSON-RPC 2.0 message into *m. On failure
 * returns SH_ERR_INVALID with *why filled (why may be NULL) and *m empty.
 * The text need not be NUL-terminated.
 */
sh_status jsonrpc_parse(const char *text, size_t len, struct jsonrpc_msg *m,
                        struct jsonrpc_refusal *why);

/* Free what m holds (not m itself). An empty or freed m is fine. */
void jsonrpc_msg_free(struct jsonrpc_msg *m);

/*
 * Serialize {"jsonrpc":"2.0","id":id,"result":result} without a trailing
 * newline. result is consumed (NULL means {}). Returns a malloc'd string
 * and its length in *len, or NULL when out of memory.
 */
char *jsonrpc_result(const char *id, cJSON *result, size_t *len);

/* The same for an error. id NULL or "" means null; data (may be NULL) is
 * consumed. */
char *jsonrpc_error(const char *id, int code, const char *message, cJSON *data,
                    size_t *len);

/* {"jsonrpc":"2.0","method":method,"params":params}; params (may be NULL)
 * is consumed. */
char *jsonrpc_notification(const char *method, cJSON *params, size_t *len);

/* The canonical JSON text of an id value (a string or an integer) into
 * out; 0 when v is not a valid id. */
int jsonrpc_id_text(const cJSON *v, char out[JSONRPC_ID_TEXT_MAX + 1]);

#endif /* SH_JSONRPC_H */
