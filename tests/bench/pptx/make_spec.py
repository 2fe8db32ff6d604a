#!/usr/bin/env python3
"""The benchmark decks. Usage: make_spec.py OUT.json [charts]
  default: 100 slides of bullets with notes; of every 10, one is a table
           and one an image (a 400x300 PNG)
  charts:  10 native charts (column, bar, line, pie, doughnut, area,
           scatter, then column, line, bar), 3 series x 12 categories
           (pie and doughnut: 1 series)"""
import base64
import json
import struct
import sys
import zlib


def png(w, h):
    raw = b"".join(b"\x00" + b"".join(bytes((x * 3 % 256, y * 5 % 256, (x ^ y) % 256))
                                       for x in range(w)) for y in range(h))

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d
                + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


if len(sys.argv) > 2 and sys.argv[2] == "charts":
    kinds = ["column", "bar", "line", "pie", "doughnut", "area", "scatter", "column", "line", "bar"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    slides = []
    for i, k in enumerate(kinds, 1):
        one = k in ("pie", "doughnut")
        cats = list(range(1, 13)) if k == "scatter" else months
        series = [{"name": "Series %d" % n, "values": [((i * 7 + n * 13 + m * 5) % 50) + 10
                                                       for m in range(12)]}
                  for n in range(1, 2 if one else 4)]
        slides.append({"layout": "chart", "title": "Chart %d: %s" % (i, k),
                       "chart": {"type": k, "title": "Monthly figures %d" % i, "categories": cats,
                                 "series": series, "data_labels": one},
                       "notes": "Notes for chart %d" % i})
    json.dump({"title": "Chart benchmark", "slides": slides}, open(sys.argv[1], "w"))
    sys.exit(0)

img = base64.b64encode(png(400, 300)).decode()
slides = []
for i in range(1, 101):
    s = {"layout": "bullets", "title": "Slide %d: quarterly results" % i,
         "bullets": ["Revenue grew %d%% year over year" % i,
                     {"text": "Driven by EMEA and APAC", "level": 1},
                     {"text": "New customers: %d" % (i * 17), "level": 1},
                     "Costs stayed flat", "Next steps: hire, ship, measure"],
         "notes": "Speaker notes for slide %d. Mention the numbers." % i}
    if i % 10 == 3:
        s = {"layout": "table", "title": "Slide %d: numbers" % i, "notes": s["notes"],
             "table": {"columns": ["Region", "Q1", "Q2", "Q3", "Q4"],
                       "rows": [[r, i, i * 2, i * 3, i * 4] for r in ("EMEA", "APAC", "AMER", "LATAM")]}}
    elif i % 10 == 7:
        s = {"layout": "image", "title": "Slide %d: chart" % i, "notes": s["notes"],
             "image": {"data": img, "mime": "image/png", "alt": "chart %d" % i}}
    slides.append(s)
json.dump({"title": "Benchmark deck", "slides": slides}, open(sys.argv[1], "w"))
