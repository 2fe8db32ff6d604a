/*
 * allocator.h - which malloc the skillhost program runs on, as
 * `skillhost --version` reports it.
 */
#ifndef SH_CLI_ALLOCATOR_H
#define SH_CLI_ALLOCATOR_H

#include <stddef.h>

/*
 * Write into buf (cap bytes) the allocator this process's malloc really
 * comes from: "mimalloc X.Y.Z" when the program was built with it and a
 * block calloc returns lies in mimalloc's heap, else "glibc malloc" (with
 * "(mimalloc linked but not in use)" when it was built with mimalloc and
 * malloc does not come from it: a library order that lost the override).
 * Returns buf.
 */
const char *cli_allocator(char *buf, size_t cap);

#endif /* SH_CLI_ALLOCATOR_H */
