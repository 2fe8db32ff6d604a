/*
 * skill/status.h - status codes shared by skills and the host.
 *
 * Append-only: a code keeps its number forever, new codes are added at the
 * end, and none is ever removed or renumbered (curl's CURLcode rule).
 * Unknown codes must be treated as SKILL_ERR_INTERNAL.
 *
 * The type is a fixed-width integer, not the enum: an enum's size is the
 * compiler's choice (-fshort-enums makes it one byte), and a status crosses
 * the boundary as a return value and inside worker messages. The constants
 * stay an enum so skill code reads the same as before.
 */
#ifndef SKILL_STATUS_H
#define SKILL_STATUS_H

#include <stdint.h>

typedef int32_t skill_status;

enum skill_status_code {
	SKILL_OK = 0,
	/* The tool failed in a way the model should see (isError). Report the
	 * reason with host->tool_error() before returning this. */
	SKILL_ERR_TOOL = 1,
	/* The arguments were unusable beyond what the input schema catches. */
	SKILL_ERR_ARGS = 2,
	/* The caller cancelled the call (host->is_cancelled() turned true). */
	SKILL_ERR_CANCELLED = 3,
	/* The call's deadline passed (host->remaining_ms() reached 0). */
	SKILL_ERR_TIMEOUT = 4,
	/* The host refused a service request: permission or policy. */
	SKILL_ERR_DENIED = 5,
	/* A requested feature, extension or tool is not supported. */
	SKILL_ERR_UNSUPPORTED = 6,
	/* Out of memory, or a size cap was hit. */
	SKILL_ERR_NOMEM = 7,
	/* A bug or an unexpected state; the message is for the operator. */
	SKILL_ERR_INTERNAL = 8,
	/* An I/O or network error in a host service. */
	SKILL_ERR_IO = 9
};

#endif /* SKILL_STATUS_H */
