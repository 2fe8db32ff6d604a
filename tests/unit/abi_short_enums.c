/*
 * abi_short_enums.c - the frozen layout again, compiled with -fshort-enums.
 *
 * With C enums as field types, -fshort-enums (the default on some embedded
 * ABIs, and a flag a skill author may pass) shrank skill_tool_t's hints to
 * one byte each and moved every later member. The ABI's fixed-width typedefs
 * make the layout independent of it; this file proves that at compile time
 * and reports the sizes it saw to test_abi_layout.c.
 */
#include "abi_layout_v1.h"

size_t abi_short_enums_sizeof_status(void);
size_t abi_short_enums_sizeof_tool(void);

size_t abi_short_enums_sizeof_status(void)
{
	return sizeof(skill_status);
}

size_t abi_short_enums_sizeof_tool(void)
{
	return sizeof(skill_tool_t);
}
