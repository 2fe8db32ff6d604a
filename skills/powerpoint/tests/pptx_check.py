#!/usr/bin/env python3
"""Helpers for the PPTX integration tests (standard library only).

  pptx_check.py gen DIR              write deck specs (*.json) into DIR
  pptx_check.py roundtrip SPEC READ  read_presentation(create(SPEC)) == SPEC
  pptx_check.py pdftext SPEC TXT     every title, bullet, cell and subtitle
                                     of SPEC appears in pdftotext output TXT
  pptx_check.py nonblank PPM         the rendered page is not blank
  pptx_check.py expect READ FILE     READ holds every string listed in FILE
"""
import base64
import json
import os
import re
import struct
import sys
import zlib


def png(w, h):
    raw = b"".join(b"\x00" + b"".join(bytes(((x * 7) % 256, (y * 5) % 256, (x * y) % 256))
                                       for x in range(w)) for y in range(h))

    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# A complete 8x8 baseline JPEG (grey), small enough to keep inline.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkK"
    "DA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAA"
    "AAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==")


def _alnum(c):
    return c.isascii() and c.isalnum() or ord(c) >= 0x80


def _marker(s, i):
    if s.startswith("**", i):
        return 2, "b"
    if s.startswith("__", i):
        return 2, "u"
    if s[i] == "*":
        return 1, "i"
    return 0, None


def _can_open(s, i, ml):
    return i + ml < len(s) and s[i + ml] not in " \t" and (i == 0 or not _alnum(s[i - 1]))


def _can_close(s, i, ml):
    return i > 0 and s[i - 1] not in " \t" and (i + ml >= len(s) or not _alnum(s[i + ml]))


def _has_closer(s, i, ml, f):
    j = i + ml
    while j < len(s):
        if s[j] == "\\":
            j += 2
            continue
        l, g = _marker(s, j)
        if l == ml and g == f and _can_close(s, j, l):
            return True
        j += max(l, 1)
    return False


LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^\s\"<>)]+)\)")


def md_plain(line):
    """The text of one line with the Markdown subset taken out (the same
    rules as pptx_text.c)."""
    out, i, flags = [], 0, set()
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in "*_[]\\":
            out.append(line[i + 1])
            i += 2
            continue
        m = LINK.match(line, i)
        if m:
            out.append(m.group(1))
            i = m.end()
            continue
        ml, f = _marker(line, i)
        if ml and f in flags and _can_close(line, i, ml):
            flags.discard(f)
            i += ml
            continue
        if ml and f not in flags and _can_open(line, i, ml) and _has_closer(line, i, ml, f):
            flags.add(f)
            i += ml
            continue
        out.append(line[i:i + max(ml, 1)])
        i += max(ml, 1)
    return "".join(out)


def clean(s, md=True):
    """The text a deck carries for s: what the writer drops is dropped, and
    the Markdown markers become formatting."""
    s = "".join(c for c in s if c in "\t\n" or (ord(c) >= 0x20 and c != "\x7f"
                                                 and c not in "\ufffe\uffff"))
    return "\n".join(md_plain(x) for x in s.split("\n")) if md else s


def specs():
    img = base64.b64encode(png(96, 64)).decode()
    jpg = base64.b64encode(JPEG).decode()
    full = {"title": "All layouts <&> \"quoted\"", "aspect": "16:9", "slides": [
        {"layout": "title", "title": "Quarterly Review & <Plans>",
         "subtitle": "Team 'Alpha' \u2014 2025", "notes": "Welcome everyone\nsecond line"},
        {"layout": "bullets", "title": "Bullets with levels",
         "bullets": ["Revenue grew", {"text": "EMEA first", "level": 1},
                     {"text": "Deep point", "level": 2}, {"text": "Deeper", "level": 3},
                     {"text": "Deepest", "level": 4}, "Back to top"],
         "notes": "Stress the growth"},
        {"layout": "bullets", "title": "Unicode \u4e2d\u6587 \u65e5\u672c\u8a9e",
         "bullets": ["\u4e2d\u6587\u6d4b\u8bd5", "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
                     "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
                     "emoji \U0001F600 \U0001F389", "\ud55c\uad6d\uc5b4"]},
        {"layout": "bullets", "title": "Metacharacters",
         "bullets": ["a < b && c > d", "\"double\" and 'single'", "]]> end of CDATA",
                     "control\u0001\u0008\u000bchars\u007f", "tab\there"]},
        {"layout": "two_column", "title": "Two columns",
         "columns": [["Left one", {"text": "Left sub", "level": 1}], ["Right one", "Right two"]],
         "notes": "Compare both"},
        {"layout": "table", "title": "Sales table",
         "table": {"columns": ["Region", "Q1", "Q2", "Comment"],
                   "rows": [["EMEA", 120, 135.5, "steady"], ["APAC", 80, 95, "growing fast"],
                            ["AMER", 200, 210, "<flat> & calm"]]},
         "notes": "Numbers are in k$"},
        {"layout": "image", "title": "A PNG picture",
         "image": {"data": img, "mime": "image/png", "alt": "a colour gradient"}},
        {"layout": "image", "title": "A JPEG picture",
         "image": {"data": jpg, "mime": "image/jpeg", "alt": "grey square"}},
        {"layout": "section", "title": "Section two", "subtitle": "Details follow"},
    ]}
    four3 = dict(full, title="Four by three", aspect="4:3")
    big = {"title": "Thousand", "slides": [
        {"layout": "bullets", "title": "Slide %d" % i,
         "bullets": ["Point %d.%d" % (i, k) for k in range(3)], "notes": "Notes %d" % i}
        for i in range(1, 1001)]}
    long_text = {"title": "Overflow", "slides": [
        {"layout": "bullets", "title": "A very long slide " * 6,
         "bullets": ["This bullet has quite a lot of words in it, number %d" % i
                     for i in range(25)]}]}
    empty = {"title": "Empty", "slides": []}
    cats = ["North & <East>", "South", "West"]
    charts = {"title": "Charts", "slides": [
        {"layout": "chart", "title": "Column chart",
         "chart": {"type": "column", "title": "Revenue (EUR m)", "categories": cats,
                   "series": [{"name": "Rev 2024", "values": [12.5, 7, 9]},
                              {"name": "Rev 2025", "values": [14, 8.25, None]}],
                   "x_title": "Region", "y_title": "EUR millions", "data_labels": True},
         "notes": "gap in 2025 West"},
        {"layout": "chart", "title": "Bar chart",
         "chart": {"type": "bar", "categories": ["Alpha", "Beta"],
                   "series": [{"name": "Votes cast", "values": [3, 5]}], "legend": "right"}},
        {"layout": "chart", "title": "Line chart",
         "chart": {"type": "line", "categories": ["Jan", "Feb", "Mar", "Apr"],
                   "series": [{"name": "Users", "values": [1, 2, 4, 8]},
                              {"name": "Buyers", "values": [0, 1, 1, 3]}], "legend": "top"}},
        {"layout": "chart", "title": "Pie chart",
         "chart": {"type": "pie", "categories": ["Cats", "Dogs", "Fish"],
                   "series": [{"name": "Pets owned", "values": [40, 35, 25]}], "data_labels": True}},
        {"layout": "chart", "title": "Doughnut chart",
         "chart": {"type": "doughnut", "title": "Answers", "categories": ["Yes", "No"],
                   "series": [{"name": "Survey", "values": [70, 30]}], "legend": "left"}},
        {"layout": "chart", "title": "Area chart",
         "chart": {"type": "area", "categories": ["Q1", "Q2", "Q3"],
                   "series": [{"name": "Backlog size", "values": [5, 3, 6]}]}},
        {"layout": "chart", "title": "Scatter chart",
         "chart": {"type": "scatter", "categories": [1, 2.5, 4, -3],
                   "series": [{"name": "Latency", "values": [10, 20, 15, 1e-3]}],
                   "x_title": "Load", "y_title": "ms"}},
        {"layout": "text_chart", "title": "Text beside a chart",
         "bullets": ["Growth everywhere", {"text": "Unicode 中文 مرحبا", "level": 1}],
         "chart": {"type": "column", "categories": ["中文", "B"],
                   "series": [{"name": "Score é", "values": [1, 2]}], "legend": "none"},
         "notes": "chart notes"},
    ]}
    themed = {"title": "Themed", "theme": {"base": "forest", "colors": {"accent1": "#FF0088", "heading": "003366"},
                                           "fonts": {"heading": "DejaVu Serif"}},
              "slides": [{"layout": "title", "title": "Custom theme", "subtitle": "forest base"},
                         {"title": "Accent bar and rule", "bullets": ["body text"]}]}
    rich = {"title": "Rich", "footer": "ACME confidential", "date": "7 Dec 2026", "slide_numbers": True,
            "slides": [
                {"layout": "title", "title": "Rich **text**", "subtitle": "with *style*"},
                {"title": "Report on \u0645\u0631\u062d\u0628\u0627 today",
                 "bullets": ["Plain, **bold**, *italic*, __under__ and [a link](https://example.com/a?b=1&c=2)",
                             "5*3*2 stays and a * b too", "\\*escaped\\* star",
                             "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 is Arabic first"]},
                {"layout": "table", "title": "Numbers",
                 "table": {"columns": ["Item", "Qty", "Price"],
                           "rows": [["Apple", "6.0", "$1,234.50"], ["Pear", 7, "45%"]]}}]}
    layouts = {"title": "More layouts", "theme": "berry", "slide_numbers": True, "slides": [
        {"layout": "agenda", "title": "Agenda", "bullets": ["Welcome", "Results", "Plans", "Questions"]},
        {"layout": "quote", "title": "Simplicity is prerequisite for reliability.",
         "subtitle": "Edsger W. Dijkstra", "notes": "pause here"},
        {"layout": "big_number", "title": "42%", "subtitle": "of users came back within a week"},
        {"layout": "image_text", "title": "Picture and words",
         "image": {"data": img, "mime": "image/png", "alt": "a gradient"},
         "bullets": ["The picture on the left", {"text": "words on the right", "level": 1}]},
        {"layout": "comparison", "title": "Before and after", "headings": ["Before", "After"],
         "columns": [["Manual steps", "Slow reviews"], ["One command", {"text": "Reviews in minutes", "level": 1}]]},
    ]}
    specs = {"full": full, "four3": four3, "rich": rich, "layouts": layouts, "big": big, "overflow": long_text, "empty": empty,
             "charts": charts, "themed": themed}
    for name in ("ocean", "classic", "sunset", "berry", "slate", "mono"):
        specs["theme_" + name] = dict(full, title="Theme " + name, theme=name)
    return specs


CHART_DEFAULTS = {"data_labels": False, "legend": "bottom"}


def chart_want(c):
    """What read_presentation gives back for a chart created from c."""
    w = dict(CHART_DEFAULTS, **c)
    if "title" not in c and c["type"] in ("pie", "doughnut") and len(c["series"]) == 1:
        w["title"] = c["series"][0]["name"]  # shown as the title (pptx_chart.c)
    if c["type"] != "scatter":
        w["categories"] = [clean(x, md=False) if isinstance(x, str) else cell(x)
                           for x in c["categories"]]
    return w


def norm_list(items):
    out = []
    for b in items or []:
        if isinstance(b, str):
            b = {"text": b, "level": 0}
        t = clean(b["text"])
        if t:
            out.append((t, b.get("level", 0)))
    return out


def cell(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return "%d" % v if float(v).is_integer() else repr(v)
    return clean(v or "")


def roundtrip(spec, got):
    errs = []
    want = spec["slides"]
    slides = got["slides"]
    if len(slides) != len(want):
        return ["slide count %d != %d" % (len(slides), len(want))]
    for i, (w, g) in enumerate(zip(want, slides), 1):
        def check(what, a, b):
            if a != b:
                errs.append("slide %d %s: want %r got %r" % (i, what, a, b))
        check("layout", w.get("layout", "bullets"), g["layout"])
        check("title", clean(w.get("title", "")), g["title"])
        if "subtitle" in w:
            check("subtitle", clean(w["subtitle"]), g.get("subtitle"))
        check("notes", clean(w["notes"], md=False) if "notes" in w else None, g.get("notes"))
        check("bullets", norm_list(w.get("bullets")),
              [(b["text"], b["level"]) for b in g["bullets"]])
        if "headings" in w:
            check("headings", [clean(x) for x in w["headings"]], g.get("headings"))
        if "columns" in w:
            check("columns", [norm_list(c) for c in w["columns"]],
                  [[(b["text"], b["level"]) for b in c] for c in g.get("columns", [])])
        if "table" in w:
            t = w["table"]
            ncols = len(t["columns"])
            rows = [[cell(c) for c in r] + [""] * (ncols - len(r)) for r in t.get("rows", [])]
            check("table", {"columns": [cell(c) for c in t["columns"]], "rows": rows},
                  (g.get("tables") or [None])[0])
        if "chart" in w:
            check("chart", chart_want(w["chart"]), (g.get("charts") or [None])[0])
        if "image" in w:
            check("image alt", clean(w["image"].get("alt", "")),
                  ((g.get("images") or [{}])[0]).get("alt", ""))
    if clean(spec.get("title", "")) != got.get("title", ""):
        errs.append("deck title: want %r got %r" % (spec.get("title"), got.get("title")))
    return errs


BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_strings(spec):
    for s in spec["slides"]:
        yield clean(s.get("title", ""))
        if "subtitle" in s:
            yield clean(s["subtitle"])
        for b in norm_list(s.get("bullets")):
            yield b[0]
        for c in s.get("columns", []):
            for b in norm_list(c):
                yield b[0]
        yield from (clean(x) for x in s.get("headings", []))
        if "table" in s:
            yield from (cell(c) for c in s["table"]["columns"])
            for r in s["table"].get("rows", []):
                yield from (cell(c) for c in r)
        if "chart" in s:
            c = chart_want(s["chart"])
            # Chart text is not Markdown: written as given.
            yield from (clean(c.get(k, ""), md=False) for k in ("title", "x_title", "y_title"))
            # Series names show in the legend (a pie's legend shows its
            # categories instead: its one series name is the title).
            if c["legend"] != "none" and c["type"] not in ("pie", "doughnut"):
                yield from (clean(x["name"], md=False) for x in c["series"])
            # A scatter chart's x values are a scale, not labels.
            if c["type"] != "scatter":
                yield from (clean(x, md=False) for x in c["categories"])


def pdftext(spec, text):
    text = re.sub(r"\s+", " ", BIDI.sub("", text))
    missing = []
    for s in pdf_strings(spec):
        s = re.sub(r"\s+", " ", clean(s, md=False)).strip()
        # Right-to-left runs come out of pdftotext in visual order: look
        # for each word.
        words = s.split(" ") if re.search("[\u0590-\u08ff]", s) else [s]
        for wd in words:
            if wd and wd not in text:
                missing.append(wd)
    return missing


def nonblank(path):
    data = open(path, "rb").read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m:
        return False, "not a binary PPM"
    px = data[m.end():]
    n = len(px)
    mean = sum(px) / n
    var = sum((b - mean) ** 2 for b in px[::7]) / len(px[::7])
    return var > 50, "pixel variance %.1f" % var


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "gen":
        os.makedirs(argv[2], exist_ok=True)
        for name, spec in specs().items():
            with open(os.path.join(argv[2], name + ".json"), "w") as f:
                json.dump(spec, f, ensure_ascii=False)
        return 0
    if cmd == "roundtrip":
        errs = roundtrip(json.load(open(argv[2])), json.load(open(argv[3])))
        for e in errs[:20]:
            print("round trip:", e)
        return 1 if errs else 0
    if cmd == "pdftext":
        missing = pdftext(json.load(open(argv[2])), open(argv[3], encoding="utf-8").read())
        for m in missing[:20]:
            print("missing from the PDF text: %r" % m)
        return 1 if missing else 0
    if cmd == "nonblank":
        ok, why = nonblank(argv[2])
        print(("non-blank: " if ok else "BLANK: ") + why)
        return 0 if ok else 1
    if cmd == "expect":
        got = json.dumps(json.load(open(argv[2])), ensure_ascii=False)
        missing = [ln for ln in open(argv[3], encoding="utf-8").read().splitlines()
                   if ln and json.dumps(ln, ensure_ascii=False)[1:-1] not in got]
        for m in missing:
            print("not read back: %r" % m)
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
