/*
 * skill/ext/artifacts.h - output files and operator-allowed input files.
 *
 * Host extension "skill.artifacts/1". A skill that produces a file (a deck, a
 * report) writes it through the host instead of choosing a path itself: the
 * host stores it under the store's artifacts folder (or --artifacts-dir),
 * writes it atomically (temporary file, fsync, rename), and adds a
 * resource_link to the call's result: a file:// URI for local clients, or an
 * /artifacts/<id> URL under `skillhost serve --http`, behind the same auth.
 *
 * Inputs: a skill may read only files inside the folders the operator
 * allowed (`skillhost config SKILL input-dir DIR`, or the artifacts folder
 * itself); everything else is refused with SKILL_ERR_DENIED. Bytes passed
 * inline in the arguments need no permission.
 *
 * Handles are owned by the host and valid only during the call that created
 * them; a handle neither committed nor discarded when invoke() returns is
 * discarded, and its partial file deleted.
 */
#ifndef SKILL_EXT_ARTIFACTS_H
#define SKILL_EXT_ARTIFACTS_H

#include "../host.h"

#define SKILL_EXT_ARTIFACTS "skill.artifacts/1"

typedef struct skill_artifact skill_artifact_t; /* opaque output handle */
typedef struct skill_input skill_input_t;       /* opaque input handle */

/* Filled in by commit(). The skill owns the struct and sets struct_size;
 * the host writes only the members that struct_size covers. */
typedef struct skill_artifact_info {
	uint32_t struct_size;
	char id[128];    /* the artifact's id, unique in the store */
	char uri[2048];  /* what the resource_link carries */
	char path[4096]; /* the local path, for local clients and inputs */
	int64_t size;    /* bytes written */
} skill_artifact_info_t;

typedef struct skill_ext_artifacts {
	uint32_t struct_size;

	/* [call] Start an output file. filename is a suggested base name
	 * ("report.pptx": no '/', no leading '.'); the host keeps its
	 * extension and makes the final name unique. mime_type is required.
	 * Both borrowed. On success *out is a handle for write/commit. */
	skill_status (*create)(skill_call_t *call, const char *filename,
	                       const char *mime_type, skill_artifact_t **out);

	/* [call] Append len bytes (borrowed, copied) to the artifact. Returns
	 * SKILL_ERR_NOMEM past the host's artifact-size cap, SKILL_ERR_IO on a
	 * write error; the artifact is then unusable and must be discarded. */
	skill_status (*write)(skill_call_t *call, skill_artifact_t *artifact,
	                      const void *data, size_t len);

	/* [call] Finish the artifact: make it durable, move it into place, and
	 * append a resource_link for it to the call's result. Fills *info
	 * (skill-owned) when not NULL. The handle is released either way. */
	skill_status (*commit)(skill_call_t *call, skill_artifact_t *artifact,
	                       skill_artifact_info_t *info);

	/* [call] Abandon the artifact and delete what was written. The
	 * handle is released. */
	void (*discard)(skill_call_t *call, skill_artifact_t *artifact);

	/* [call] Open an input file for reading. path (borrowed) must resolve,
	 * after following symlinks, inside an operator-allowed input folder or
	 * the artifacts folder; an artifact's URI is accepted too. On success
	 * *out is a handle and *size (if not NULL) the file's size. Returns
	 * SKILL_ERR_DENIED outside the allowed folders (the host logs which
	 * folders are allowed) and SKILL_ERR_IO if it cannot be opened. */
	skill_status (*open_input)(skill_call_t *call, const char *path,
	                           skill_input_t **out, int64_t *size);

	/* [call] Read up to cap bytes into buf (skill-owned). Returns the
	 * number of bytes read, 0 at end of file, or -1 on error. */
	int64_t (*read)(skill_call_t *call, skill_input_t *input, void *buf,
	                size_t cap);

	/* [call] Release an input handle. */
	void (*close_input)(skill_call_t *call, skill_input_t *input);
} skill_ext_artifacts_t;

#endif /* SKILL_EXT_ARTIFACTS_H */
