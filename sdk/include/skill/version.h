/*
 * skill/version.h - ABI version stamp and export macros.
 *
 * The ABI major is part of the entry symbol's name (skill_entry_v1), so a
 * future incompatible ABI gets a new symbol and one shared object may export
 * both. The minor grows when fields or extensions are appended; any minor of
 * a major loads in any host of that major, because each side reads only the
 * prefix of a struct that its struct_size covers. See sdk/ABI.md.
 *
 * Thread tags used throughout the SDK headers:
 *   [control]     called on one host thread at a time, never concurrently with
 *                 any other [control] function of the same skill, and never
 *                 while a [call] function of that skill is running.
 *   [call]        called for one tool invocation; may run concurrently on many
 *                 threads unless the skill sets SKILL_FLAG_SERIALIZED.
 *   [thread-safe] may be called from any thread at any time after the object
 *                 was handed over.
 */
#ifndef SKILL_VERSION_H
#define SKILL_VERSION_H

#include <stddef.h>
#include <stdint.h>

#define SKILL_ABI_MAJOR 1
#define SKILL_ABI_MINOR 0

#if defined(_WIN32)
#define SKILL_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define SKILL_EXPORT __attribute__((visibility("default")))
#else
#define SKILL_EXPORT
#endif

#ifdef __cplusplus
#define SKILL_EXTERN_C extern "C"
#else
#define SKILL_EXTERN_C
#endif

/*
 * The ABI a struct was built against. ptr_size guards against loading a
 * 32-bit skill in a 64-bit host; it is the only build fingerprint, on purpose
 * (nginx's long signature strings are its top support question).
 */
typedef struct skill_abi {
	uint16_t major;    /* SKILL_ABI_MAJOR at build time */
	uint16_t minor;    /* SKILL_ABI_MINOR at build time */
	uint16_t ptr_size; /* sizeof(void *) at build time */
	uint16_t reserved; /* zero */
} skill_abi_t;

#define SKILL_ABI_CURRENT                                                      \
	{                                                                      \
		SKILL_ABI_MAJOR, SKILL_ABI_MINOR, (uint16_t)sizeof(void *), 0  \
	}

/*
 * True when the struct behind p (which starts with uint32_t struct_size) is
 * large enough to hold member m of type T. Use it before reading any member
 * that was appended after the ABI minor you need, e.g.
 *   if (SKILL_HAS(skill_host_t, host, arg_json) && host->arg_json) ...
 */
#define SKILL_HAS(T, p, m)                                                     \
	((p)->struct_size >= offsetof(T, m) + sizeof(((T *)0)->m))

/* Length value meaning "the string is NUL-terminated; measure it". */
#define SKILL_NUL_TERMINATED ((size_t)-1)

#endif /* SKILL_VERSION_H */
