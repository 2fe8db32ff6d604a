/*
 * jsonnum.h - numbers out of JSON that may come from anyone.
 *
 * cJSON keeps numbers as doubles; casting one outside the target type's
 * range (1e300 from a hostile server, say) is undefined behaviour. These
 * clamp instead.
 */
#ifndef SH_JSONNUM_H
#define SH_JSONNUM_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* v as an int64, clamped to its range, truncated toward zero; def when v
 * is not a number or is NaN. */
int64_t json_int64(const cJSON *v, int64_t def);

#endif /* SH_JSONNUM_H */
