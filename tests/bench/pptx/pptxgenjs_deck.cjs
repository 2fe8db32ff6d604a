// Builds the benchmark deck (the same JSON spec skillhost gets) with
// pptxgenjs, in memory. Usage: node pptxgenjs_deck.cjs NODE_DIR SPEC.json RUNS [OUT.pptx]
// Prints {"runs","median_ms","min_ms","bytes"}: time inside node, start-up
// excluded, from the spec to the finished zip buffer.
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");
const req = createRequire(path.join(process.argv[2], "package.json"));
const PptxGenJS = req("pptxgenjs");

function bulletRuns(items) {
  return items.map((b) => typeof b === "string"
    ? { text: b, options: { bullet: true, breakLine: true } }
    : { text: b.text, options: { bullet: true, indentLevel: b.level || 0, breakLine: true } });
}

async function build(spec) {
  const pptx = new PptxGenJS();
  pptx.layout = "LAYOUT_WIDE";
  pptx.title = spec.title;
  for (const s of spec.slides) {
    const slide = pptx.addSlide();
    slide.addText(s.title, { x: 0.9, y: 0.4, w: 11.5, h: 1.4, fontSize: 40 });
    if (s.bullets)
      slide.addText(bulletRuns(s.bullets), { x: 0.9, y: 2.0, w: 11.5, h: 4.7, fontSize: 24, fit: "shrink" });
    if (s.table)
      slide.addTable([s.table.columns.map((c) => ({ text: String(c) })),
        ...s.table.rows.map((r) => r.map((c) => ({ text: String(c) })))],
        { x: 0.9, y: 2.0, w: 11.5, fontSize: 14 });
    if (s.image)
      slide.addImage({ data: s.image.mime + ";base64," + s.image.data, x: 3, y: 2, w: 6, h: 4,
        altText: s.image.alt || "" });
    if (s.chart) {
      // The same chart through pptxgenjs's native charts (with their
      // embedded workbook, as ours).
      const c = s.chart;
      const T = pptx.ChartType;
      const kind = { bar: T.bar, column: T.bar, line: T.line, pie: T.pie, doughnut: T.doughnut,
        area: T.area, scatter: T.scatter }[c.type];
      const labels = c.categories.map(String);
      const data = c.type === "scatter"
        ? [{ name: "X", values: c.categories }, ...c.series.map((x) => ({ name: x.name, values: x.values }))]
        : c.series.map((x) => ({ name: x.name, labels, values: x.values }));
      slide.addChart(kind, data, { x: 0.9, y: 1.9, w: 11.5, h: 4.8, barDir: c.type === "bar" ? "bar" : "col",
        showTitle: !!c.title, title: c.title || "", showLegend: true, legendPos: "b",
        showValue: !!c.data_labels });
    }
    if (s.notes) slide.addNotes(s.notes);
  }
  return pptx.write({ outputType: "nodebuffer" });
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
  const runs = parseInt(process.argv[4], 10);
  const times = [];
  let buf;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    buf = await build(spec);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (process.argv[5]) fs.writeFileSync(process.argv[5], buf);
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ runs, median_ms: times[Math.floor(runs / 2)], min_ms: times[0], bytes: buf.length }));
}
main().catch((e) => { console.error(e); process.exit(1); });
