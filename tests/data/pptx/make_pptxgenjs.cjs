// Builds a deck with pptxgenjs for the read_presentation foreign-deck test:
// a master with title and body placeholders, bullets with indent levels, a
// table, a column chart and speaker notes.  Usage: node make_pptxgenjs.cjs NODE_DIR OUT.pptx
const path = require("path");
const { createRequire } = require("module");
const req = createRequire(path.join(process.argv[2], "package.json"));
const PptxGenJS = req("pptxgenjs");

async function main() {
  const pptx = new PptxGenJS();
  pptx.layout = "LAYOUT_16x9";
  pptx.title = "pptxgenjs deck";
  pptx.defineSlideMaster({
    title: "MASTER",
    objects: [
      { placeholder: { options: { name: "title", type: "title", x: 0.5, y: 0.3, w: 9, h: 0.8 }, text: "" } },
      { placeholder: { options: { name: "body", type: "body", x: 0.5, y: 1.3, w: 9, h: 3.8 }, text: "" } },
    ],
  });
  let s = pptx.addSlide({ masterName: "MASTER" });
  s.addText("Foreign Title One", { placeholder: "title" });
  s.addText([
    { text: "First point", options: { bullet: true, indentLevel: 0 } },
    { text: "Nested point", options: { bullet: true, indentLevel: 1 } },
    { text: "Deeper point", options: { bullet: true, indentLevel: 2 } },
  ], { placeholder: "body" });
  s.addNotes("Speaker notes from pptxgenjs");
  s = pptx.addSlide({ masterName: "MASTER" });
  s.addText("Foreign Table Slide", { placeholder: "title" });
  s.addTable([
    [{ text: "City" }, { text: "Population" }],
    [{ text: "Oslo" }, { text: "709000" }],
    [{ text: "Bergen" }, { text: "286000" }],
  ], { x: 0.5, y: 1.5, w: 6 });
  s.addNotes("Table notes");
  // A native chart (read_presentation returns its data; add_slides must
  // number its own charts past this one).
  s = pptx.addSlide({ masterName: "MASTER" });
  s.addText("Foreign Chart Slide", { placeholder: "title" });
  s.addChart(pptx.ChartType.bar, [
    { name: "Sales 2024", labels: ["North", "South", "West"], values: [11, 22.5, 33] },
    { name: "Sales 2025", labels: ["North", "South", "West"], values: [12, 20, 40] },
  ], { x: 0.5, y: 1.3, w: 9, h: 3.8, barDir: "col", showTitle: true, title: "Sales by area", showLegend: true });
  // The common pptxgenjs style: no master, the title a plain text box at
  // the top, a body box, and a slide number box (not a placeholder).
  s = pptx.addSlide();
  s.slideNumber = { x: 9.0, y: 5.1, fontSize: 10 };
  s.addText("Plain Box Title", { x: 0.5, y: 0.25, w: 9, h: 0.8, fontSize: 32, bold: true });
  s.addText([
    { text: "Box point one", options: { bullet: true } },
    { text: "Box point two", options: { bullet: true, indentLevel: 1 } },
  ], { x: 0.5, y: 1.4, w: 9, h: 3 });
  await pptx.writeFile({ fileName: process.argv[3] });
}
main().catch((e) => { console.error(e); process.exit(1); });
