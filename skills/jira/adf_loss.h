/*
 * adf_loss.h - what a Markdown round trip of an ADF document would lose.
 *
 * get_issue shows rich text as Markdown and update_issue writes Markdown
 * back; content Markdown has no form for (panels, media, status lozenges,
 * dates, emoji, underline, text colour, task lists, expands, ...) would be
 * silently replaced on the way back. Rather than keep a hand list of such
 * node kinds (which goes stale as Atlassian adds kinds), the check runs
 * the real round trip, adf_to_markdown() then md_to_adf(), and compares
 * the two trees: every node (type and meaningful attributes) and every
 * mark the original has and the round trip lacks is a loss, and so is a
 * change of the plain text. So a kind is either proven to survive or named.
 */
#ifndef JIRA_ADF_LOSS_H
#define JIRA_ADF_LOSS_H

#include <cjson/cJSON.h>

/* Most distinct losses listed (the rest are counted in "more"). */
#define ADF_LOSS_MAX 32

/*
 * The losses of doc's Markdown round trip: a JSON array (caller deletes),
 * empty when the round trip keeps everything, else one object per lost
 * kind: {"kind": "panel" | "mark:underline" | "text" ..., "count": N,
 * "at": "content[2].content[0]"} (the JSON path of its first occurrence).
 * NULL when out of memory or doc is not an ADF document. Widths that only
 * lay a table out ("layout:table.width", "layout:tableCell.colwidth")
 * carry "layout": true: callers report them but need not refuse for them.
 */
cJSON *adf_md_losses(const cJSON *doc);

/* Append "panel (2, first at content[1]), mark:underline (1, ...)" for a
 * losses array to b (a struct sbuf *); with content_only, the layout
 * entries are left out. Returns how many entries were written. */
struct sbuf;
int adf_losses_text(const cJSON *losses, struct sbuf *b, int content_only);

#endif /* JIRA_ADF_LOSS_H */
