/*
 * jsonnum.c - clamped JSON numbers. See jsonnum.h.
 */
#include "jsonnum.h"

int64_t json_int64(const cJSON *v, int64_t def)
{
	double d;

	if (!cJSON_IsNumber(v))
		return def;
	d = v->valuedouble;
	if (d != d)
		return def;
	/* 2^63 is exactly representable; anything at or past it clamps. */
	if (d >= 9223372036854775808.0)
		return INT64_MAX;
	if (d <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)d;
}
