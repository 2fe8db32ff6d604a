/*
 * skillhost/skillhost.h - the libskillhost embedding API, all of it.
 *
 * Build with `pkg-config --cflags --libs skillhost`, or in CMake with
 * find_package(skillhost) and target_link_libraries(app skillhost::skillhost).
 * Only what these headers declare is exported from libskillhost.so; see
 * host/EMBEDDING.md for the compatibility promise.
 */
#ifndef SKILLHOST_SKILLHOST_H
#define SKILLHOST_SKILLHOST_H

#include "runtime.h"
#include "status.h"

#endif /* SKILLHOST_SKILLHOST_H */
