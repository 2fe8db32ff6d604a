/*
 * tooltable.h - a skill's tools as one table of (descriptor, handler) rows.
 *
 * The ABI wants an array of descriptor pointers (skill_entry_t.tools), and
 * invoke() gets an index into it; a skill then needs the handler at that
 * index. Two arrays written by hand must agree on order forever, and a
 * reorder of one sends get_record's arguments to delete_record. Instead, a
 * skill writes one X-macro list of rows and generates both arrays from it:
 *
 *   #define MY_TOOLS(X) X(get_tool, do_get) X(delete_tool, do_delete)
 *   static const skill_tool_t *const tools[] = {MY_TOOLS(TT_DESCRIPTOR)};
 *   static const my_tool_fn handlers[] = {MY_TOOLS(TT_HANDLER)};
 *   TT_ASSERT_SAME_LENGTH(tools, handlers);
 *   ... .tool_count = TT_COUNT(tools), .tools = tools ...
 *
 * Header only: macros, no code.
 */
#ifndef SKILL_TOOLTABLE_H
#define SKILL_TOOLTABLE_H

#include <assert.h>

/* Row expanders for the X-macro list: X(descriptor, handler). */
#define TT_DESCRIPTOR(desc, handler) &(desc),
#define TT_HANDLER(desc, handler)    (handler),

/* The number of elements of a true array (not a pointer). */
#define TT_COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* Both arrays come from the same list; this catches a hand edit of one. */
#define TT_ASSERT_SAME_LENGTH(a, b)                                            \
	static_assert(sizeof(a) / sizeof((a)[0]) ==                            \
	                      sizeof(b) / sizeof((b)[0]),                      \
	              #a " and " #b " must have one element per tool")

#endif /* SKILL_TOOLTABLE_H */
