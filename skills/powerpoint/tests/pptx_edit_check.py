"""edit_presentation checks on a deck the skill did not make.

  ops BEFORE.json OPS.json EXPECT.json
      From read_presentation's view of a deck, write an ops list that
      touches every kind of edit (set_text on slide 1's title, replace_text
      inside a bullet, set_cell, set_notes on a slide with notes and on one
      without, duplicate, move, delete, add_slides at a position) and the
      read_presentation result those edits must give.
  compare EXPECT.json AFTER.json
      The edited deck read back equals the expectation: slide count and
      order, titles, bullets, tables, notes, chart count.
"""
import copy
import json
import sys

KEYS = ("title", "bullets", "tables", "notes")


def view(s):
    return {
        "title": s.get("title", ""),
        "bullets": [b["text"] for b in s.get("bullets", [])],
        "tables": s.get("tables", []),
        "notes": s.get("notes", ""),
        "charts": len(s.get("charts", [])),
    }


def make_ops(before):
    slides = [view(s) for s in before["slides"]]
    ops = []
    exp = copy.deepcopy(slides)
    # 1. The first slide's title through its placeholder.
    ops.append({"op": "set_text", "slide": 1, "placeholder": "title",
                "text": "Edited Deck Title"})
    exp[0]["title"] = "Edited Deck Title"
    exp[0]["_keep"] = 1
    # 2. A word inside the first bullet of the first slide with bullets.
    bi = next(i for i, s in enumerate(exp) if s["bullets"] and
              len(s["bullets"][0]) >= 4)
    word = exp[bi]["bullets"][0][:4]
    exp[bi]["_keep"] = 1
    ops.append({"op": "replace_text", "slide": bi + 1, "find": word,
                "replace": "Zq" + word + "Replaced"})
    exp[bi]["bullets"] = [b.replace(word, "Zq" + word + "Replaced")
                          for b in exp[bi]["bullets"]]
    exp[bi]["title"] = exp[bi]["title"].replace(word, "Zq" + word + "Replaced")
    for t in exp[bi]["tables"]:
        t["columns"] = [c.replace(word, "Zq" + word + "Replaced")
                        for c in t["columns"]]
        t["rows"] = [[c.replace(word, "Zq" + word + "Replaced") for c in r]
                     for r in t["rows"]]
    # 3. A table cell (row 1 is the first data row).
    ti = next(i for i, s in enumerate(exp) if s["tables"])
    ops.append({"op": "set_cell", "slide": ti + 1, "table": 0, "row": 1,
                "col": 0, "text": "EditedCell"})
    exp[ti]["tables"][0]["rows"][0][0] = "EditedCell"
    exp[ti]["_keep"] = 1
    # 4. Notes: replaced on a slide that has them, created on the last.
    ni = next(i for i, s in enumerate(exp) if s["notes"])
    ops.append({"op": "set_notes", "slide": ni + 1,
                "text": "Changed notes\nsecond line"})
    exp[ni]["notes"] = "Changed notes\nsecond line"
    ops.append({"op": "set_notes", "slide": len(exp),
                "text": "Notes for the last slide"})
    exp[-1]["notes"] = "Notes for the last slide"
    # 5. Duplicate the table slide (or a chart slide) to the end.
    di = next((i for i, s in enumerate(exp) if s["charts"]), ti)
    ops.append({"op": "duplicate_slide", "slide": di + 1,
                "to": len(exp) + 1})
    exp.append(copy.deepcopy(exp[di]))
    # ... and the table slide right after itself.
    ops.append({"op": "duplicate_slide", "slide": ti + 1})
    exp.insert(ti + 1, copy.deepcopy(exp[ti]))
    # 6. Move the last slide to the front.
    ops.append({"op": "move_slide", "slide": len(exp), "to": 1})
    exp.insert(0, exp.pop())
    # 7. Delete a slide whose edits are not checked in the rendering.
    di = next(i for i, s in enumerate(exp) if not s.get("_keep"))
    ops.append({"op": "delete_slide", "slide": di + 1})
    del exp[di]
    for s in exp:
        s.pop("_keep", None)
    # 8. New slides at position 2, on the deck's own layouts.
    ops.append({"op": "add_slides", "at": 2, "slides": [
        {"layout": "bullets", "title": "Inserted Slide",
         "bullets": ["inserted point"], "notes": "inserted notes"}]})
    exp.insert(1, {"title": "Inserted Slide", "bullets": ["inserted point"],
                   "tables": [], "notes": "inserted notes", "charts": 0})
    return {"ops": ops}, exp


def main():
    if sys.argv[1] == "ops":
        before = json.load(open(sys.argv[2]))
        ops, exp = make_ops(before)
        json.dump(ops, open(sys.argv[3], "w"), indent=1)
        json.dump(exp, open(sys.argv[4], "w"), indent=1)
        return 0
    exp = json.load(open(sys.argv[2]))
    after = json.load(open(sys.argv[3]))
    got = [view(s) for s in after["slides"]]
    bad = 0
    if after["slide_count"] != len(exp):
        print("slide count %d, want %d" % (after["slide_count"], len(exp)))
        bad = 1
    for i, (g, x) in enumerate(zip(got, exp)):
        for k in KEYS + ("charts",):
            if g[k] != x[k]:
                print("slide %d %s: got %r, want %r" % (i + 1, k, g[k], x[k]))
                bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
