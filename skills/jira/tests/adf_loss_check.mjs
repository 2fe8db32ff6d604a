// Every node kind and every mark of Atlassian's ADF schema
// (@atlaskit/adf-schema full.json) through the Markdown round trip check
// (adf_md_losses, driven by adf_loss_tool): a kind Markdown expresses must
// come back with no loss reported, every other kind must be named in the
// losses. A kind the schema has and this file has no sample for fails, so
// a new schema release cannot slip a kind past the test. Each sample is a
// whole document and is validated against the schema first.
//   node adf_loss_check.mjs NODE_MODULES ADF_LOSS_BIN
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { adfValidator } from "./adf_schema.mjs";
import { check, finish } from "../../common/tests/harness.mjs";

const [nm, bin, corpus] = process.argv.slice(2);
const schema = createRequire(path.join(nm, "noop.js"))("@atlaskit/adf-schema/json-schema/v1/full.json");
const validate = adfValidator(nm);

const doc = (...content) => ({ type: "doc", version: 1, content });
const p = (...content) => ({ type: "paragraph", content });
const t = (text, marks) => (marks ? { type: "text", text, marks } : { type: "text", text });
const li = (...content) => ({ type: "listItem", content });
const media = { type: "media", attrs: { type: "file", id: "6e7c7f2c-dd7a-499c-bceb-6f32bfbf30b5", collection: "jira-10000", width: 200, height: 100 } };

// The kinds Markdown (the dialect of md_adf.c) expresses.
const EXPRESSIBLE = new Set(["doc", "paragraph", "text", "heading", "bulletList", "orderedList", "listItem",
  "codeBlock", "blockquote", "rule", "hardBreak", "mention", "table", "tableRow", "tableHeader", "tableCell",
  "mark:strong", "mark:em", "mark:strike", "mark:code", "mark:link"]);

const table = (cellType, cellAttrs) => ({ type: "table", attrs: { isNumberColumnEnabled: false, layout: "default", localId: "t1" },
  content: [{ type: "tableRow", content: [{ type: "tableHeader", attrs: {}, content: [p(t("h"))] }, { type: "tableHeader", attrs: {}, content: [p(t("i"))] }] },
    { type: "tableRow", content: [{ type: cellType, attrs: cellAttrs ?? {}, content: [p(t("a"))] }, { type: "tableCell", attrs: {}, content: [p(t("b"))] }] }] });

const SAMPLES = {
  doc: doc(p(t("plain"))),
  paragraph: doc(p(t("one")), p(t("two"))),
  text: doc(p(t("some text"))),
  heading: doc({ type: "heading", attrs: { level: 3 }, content: [t("Title")] }, p(t("x"))),
  bulletList: doc({ type: "bulletList", content: [li(p(t("a"))), li(p(t("b")))] }),
  orderedList: doc({ type: "orderedList", attrs: { order: 3 }, content: [li(p(t("a"))), li(p(t("b")))] }),
  listItem: doc({ type: "bulletList", content: [li(p(t("a")), { type: "bulletList", content: [li(p(t("nested")))] })] }),
  codeBlock: doc({ type: "codeBlock", attrs: { language: "python" }, content: [t("print(1)\nprint(2)")] }),
  blockquote: doc({ type: "blockquote", content: [p(t("quoted"))] }),
  rule: doc(p(t("a")), { type: "rule" }, p(t("b"))),
  hardBreak: doc(p(t("line one"), { type: "hardBreak" }, t("line two"))),
  mention: doc(p(t("ping "), { type: "mention", attrs: { id: "5b10ac8d82e05b22cc7d4ef5", text: "@Bob", accessLevel: "" } })),
  table: doc(table("tableCell")),
  tableRow: doc(table("tableCell")),
  tableHeader: doc(table("tableCell")),
  tableCell: doc(table("tableCell", { background: "#ff0000" })),
  panel: doc({ type: "panel", attrs: { panelType: "warning" }, content: [p(t("careful"))] }),
  status: doc(p(t("state "), { type: "status", attrs: { text: "IN REVIEW", color: "blue", localId: "s1" } })),
  date: doc(p(t("due "), { type: "date", attrs: { timestamp: "1767225600000" } })),
  emoji: doc(p(t("nice "), { type: "emoji", attrs: { shortName: ":smile:", id: "1f604", text: "😄" } })),
  media: doc({ type: "mediaSingle", attrs: { layout: "center" }, content: [media] }),
  mediaSingle: doc({ type: "mediaSingle", attrs: { layout: "wrap-left", width: 50 }, content: [media] }),
  mediaGroup: doc({ type: "mediaGroup", content: [media] }),
  mediaInline: doc(p(t("see "), { type: "mediaInline", attrs: { type: "file", id: "6e7c7f2c-dd7a-499c-bceb-6f32bfbf30b5", collection: "jira-10000" } })),
  caption: doc({ type: "mediaSingle", attrs: { layout: "center" }, content: [media, { type: "caption", content: [t("a caption")] }] }),
  taskList: doc({ type: "taskList", attrs: { localId: "tl" }, content: [{ type: "taskItem", attrs: { localId: "ti", state: "DONE" }, content: [t("done thing")] }] }),
  taskItem: doc({ type: "taskList", attrs: { localId: "tl" }, content: [{ type: "taskItem", attrs: { localId: "ti", state: "TODO" }, content: [t("to do")] }] }),
  blockTaskItem: doc({ type: "taskList", attrs: { localId: "tl" }, content: [{ type: "blockTaskItem", attrs: { localId: "bi", state: "TODO" }, content: [{ type: "paragraph", content: [t("block task")] }] }] }),
  decisionList: doc({ type: "decisionList", attrs: { localId: "dl" }, content: [{ type: "decisionItem", attrs: { localId: "di", state: "DECIDED" }, content: [t("we ship")] }] }),
  decisionItem: doc({ type: "decisionList", attrs: { localId: "dl" }, content: [{ type: "decisionItem", attrs: { localId: "di", state: "DECIDED" }, content: [t("we wait")] }] }),
  expand: doc({ type: "expand", attrs: { title: "Details" }, content: [p(t("hidden"))] }),
  nestedExpand: doc({ type: "table", attrs: {}, content: [{ type: "tableRow", content: [{ type: "tableCell", attrs: {}, content: [{ type: "nestedExpand", attrs: { title: "More" }, content: [p(t("inner"))] }] }] }] }),
  inlineCard: doc(p({ type: "inlineCard", attrs: { url: "https://example.atlassian.net/browse/ENG-1" } })),
  blockCard: doc({ type: "blockCard", attrs: { url: "https://example.com/page" } }),
  embedCard: doc({ type: "embedCard", attrs: { url: "https://example.com/video", layout: "center" } }),
  extension: doc({ type: "extension", attrs: { extensionKey: "toc", extensionType: "com.atlassian.confluence.macro.core" } }),
  bodiedExtension: doc({ type: "bodiedExtension", attrs: { extensionKey: "details", extensionType: "com.atlassian.confluence.macro.core" }, content: [p(t("body"))] }),
  inlineExtension: doc(p(t("x "), { type: "inlineExtension", attrs: { extensionKey: "status", extensionType: "com.atlassian.confluence.macro.core" } })),
  layoutSection: doc({ type: "layoutSection", content: [{ type: "layoutColumn", attrs: { width: 50 }, content: [p(t("left"))] }, { type: "layoutColumn", attrs: { width: 50 }, content: [p(t("right"))] }] }),
  layoutColumn: doc({ type: "layoutSection", content: [{ type: "layoutColumn", attrs: { width: 33.3 }, content: [p(t("a"))] }, { type: "layoutColumn", attrs: { width: 66.7 }, content: [p(t("b"))] }] }),
  placeholder: doc(p(t("fill "), { type: "placeholder", attrs: { text: "Type here" } })),
  syncBlock: doc({ type: "syncBlock", attrs: { resourceId: "r1", localId: "sb" } }),
  bodiedSyncBlock: doc({ type: "bodiedSyncBlock", attrs: { resourceId: "r2", localId: "bsb" }, content: [p(t("synced"))] }),
  "mark:strong": doc(p(t("a "), t("bold", [{ type: "strong" }]))),
  "mark:em": doc(p(t("a "), t("it", [{ type: "em" }]))),
  "mark:strike": doc(p(t("a "), t("gone", [{ type: "strike" }]))),
  "mark:code": doc(p(t("a "), t("x()", [{ type: "code" }]))),
  "mark:link": doc(p(t("a "), t("site", [{ type: "link", attrs: { href: "https://example.com/" } }]))),
  "mark:underline": doc(p(t("a "), t("under", [{ type: "underline" }]))),
  "mark:textColor": doc(p(t("a "), t("red", [{ type: "textColor", attrs: { color: "#ff5630" } }]))),
  "mark:backgroundColor": doc(p(t("a "), t("hi", [{ type: "backgroundColor", attrs: { color: "#fedec8" } }]))),
  "mark:subsup": doc(p(t("H"), t("2", [{ type: "subsup", attrs: { type: "sub" } }]), t("O"))),
  "mark:annotation": doc(p(t("a "), t("noted", [{ type: "annotation", attrs: { id: "an1", annotationType: "inlineComment" } }]))),
  "mark:alignment": doc({ type: "paragraph", marks: [{ type: "alignment", attrs: { align: "center" } }], content: [t("centred")] }),
  "mark:indentation": doc({ type: "paragraph", marks: [{ type: "indentation", attrs: { level: 2 } }], content: [t("indented")] }),
  "mark:breakout": doc({ type: "codeBlock", marks: [{ type: "breakout", attrs: { mode: "wide" } }], attrs: {}, content: [t("wide code")] }),
  "mark:border": doc({ type: "mediaSingle", attrs: { layout: "center" }, content: [{ ...media, marks: [{ type: "border", attrs: { size: 2, color: "#091e4224" } }] }] }),
  "mark:dataConsumer": doc({ type: "mediaSingle", attrs: { layout: "center" }, content: [{ ...media, marks: [{ type: "dataConsumer", attrs: { sources: ["x"] } }] }] }),
  "mark:fragment": doc({ type: "extension", marks: [{ type: "fragment", attrs: { localId: "f1", name: "frag" } }], attrs: { extensionKey: "k", extensionType: "t" } }),
  "mark:fontSize": doc({ type: "taskList", attrs: { localId: "tl" }, content: [{ type: "blockTaskItem", attrs: { localId: "bi", state: "TODO" }, content: [{ type: "paragraph", marks: [{ type: "fontSize", attrs: { fontSize: "small" } }], content: [t("small")] }] }] }),
};

// Every node type and mark type the schema defines.
const kinds = new Set();
for (const [k, d] of Object.entries(schema.definitions)) {
  const s = JSON.stringify(d);
  const m = d.properties?.type?.enum?.[0] ?? s.match(/"type":\{"enum":\["([A-Za-z]+)"\]/)?.[1];
  if (m) kinds.add(k.endsWith("_mark") ? `mark:${m}` : m);
}
check(kinds.size >= 55, `the schema defines ${kinds.size} node and mark kinds`);
const names = [...kinds].sort();
for (const k of names) if (!SAMPLES[k]) check(false, `a sample for the schema's kind ${k}`);

const docs = names.filter((k) => SAMPLES[k]);
for (const k of docs) {
  const why = validate(SAMPLES[k]);
  if (why) check(false, `the sample of ${k} is valid ADF`, why);
}
const r = spawnSync(bin, { input: docs.map((k) => JSON.stringify(SAMPLES[k])).join("\n") + "\n", encoding: "utf8" });
check(r.status === 0, "adf_loss_tool ran", r.stderr);
const outs = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
check(outs.length === docs.length, `one answer per sample (${docs.length})`);
const fmt = (o) => JSON.stringify(o.losses) + " md=" + JSON.stringify(o.markdown);
docs.forEach((k, i) => {
  const o = outs[i];
  if (!o) return;
  // The node kind itself, or a mark by its "mark:" name.
  const named = o.losses.some((l) => l.kind === k || l.kind.startsWith(`${k} attributes`));
  if (EXPRESSIBLE.has(k) && k !== "tableCell")
    check(o.losses.length === 0, `${k} survives the Markdown round trip`, fmt(o));
  else
    check(named && o.losses.every((l) => typeof l.at === "string" && l.count >= 1),
      `${k} is named as lost (not silently changed)`, fmt(o));
});

// Widths Jira's editor puts on tables are reported as layout, not content.
{
  const wide = doc({ ...table("tableCell", { colwidth: [120] }), attrs: { isNumberColumnEnabled: false, layout: "default", width: 760, localId: "t2" } });
  const why = validate(wide);
  const r2 = spawnSync(bin, { input: JSON.stringify(wide) + "\n", encoding: "utf8" });
  const o = r2.stdout.trim() ? JSON.parse(r2.stdout.trim()) : { losses: [] };
  const kinds = o.losses.map((l) => l.kind).sort().join();
  check(!why && kinds === "layout:table.width,layout:tableCell.colwidth" && o.losses.every((l) => l.layout === true),
    "table and column widths are named as layout losses (flagged layout: true)", `${why ?? ""} ${fmt(o)}`);
}

// What the converter itself writes (its unit test's corpus) comes back
// with no loss reported: the check raises no false alarm.
if (corpus) {
  const lines = fs.readFileSync(corpus, "utf8").split("\n").filter((l) => l.trim());
  const c = spawnSync(bin, { input: lines.join("\n") + "\n", encoding: "utf8" });
  const res = c.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const bad = res.map((o, i) => [o, i]).filter(([o]) => o.losses.length);
  check(c.status === 0 && lines.length >= 40 && res.length === lines.length && !bad.length,
    `all ${lines.length} documents of the converter's corpus report no loss`,
    bad.slice(0, 3).map(([o, i]) => `#${i}: ${fmt(o)} in ${lines[i].slice(0, 400)}`).join("\n"));
}
finish();
