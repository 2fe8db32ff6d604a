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

/*
 * Let the heap of a command that runs once and exits grow in 2 MiB pages
 * (transparent huge pages, where the kernel gives them on request), and
 * its isolated workers' too (ISOLATED_SHORT_LIVED_TUNABLES). Such a
 * command fills a fresh heap at once (`tools` parses a 2.7 MB index of
 * 1,000 skills into 14 MB of nodes), and a page fault per 4 KiB was most
 * of its time where faults are dear, as under a hypervisor that keeps the
 * page tables: there `skillhost tools` took 64 ms with 3,786 faults, and
 * takes 18 ms with 130. The price is resident memory in 2 MiB steps, a few
 * MB for a process that exits; `serve` does not call this, so that a
 * server's memory follows what it uses, in small steps, for as long as it
 * runs. MIMALLOC_LARGE_OS_PAGES in the environment wins: 0 (or false, off,
 * no) turns both off. Call it before the command allocates much: only
 * memory taken from the system afterwards is affected.
 */
void cli_allocator_large_pages(void);

#endif /* SH_CLI_ALLOCATOR_H */
