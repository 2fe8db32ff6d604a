#!/usr/bin/env bash
# The catalog `skillreg serve` renders, in headless chromium: the DOM lists
# the skills, search finds one by a tool name, a skill page shows its
# tools, permissions, versions and install command, nothing a publisher
# wrote can inject markup, and a screenshot renders. No JavaScript runs on
# these pages (the CSP forbids it), so --dump-dom sees the server's HTML.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium is not installed (scripts/deps.sh test)"
EVIL_DESC='Tricky <script>alert("x")</script> & <b>bold</b> "quotes" '"'"'apostrophes'"'"' <img src=x onerror=alert(1)>'

"$SR" -q init "$REG" >/dev/null
"$SR" -q publisher add "$REG" example "$DEVPUB" >/dev/null
"$SR" -q publisher add "$REG" testing "$DEVPUB" >/dev/null
"$SR" -q add "$REG" "$PKG/example-hello-1.0.0.skill" "$PKG/testing-noop-1.0.0.skill" \
  "$PKG/testing-everything-1.0.0.skill" "$(pack_versioned 1.0.0 "$EVIL_DESC")" \
  "$(pack_versioned 1.1.0 "$EVIL_DESC")" >/dev/null || { echo "FAIL: setup"; exit 1; }
start_skillreg "$REG" --name demo

# chrome URL OUT: the DOM after load, in OUT.
chrome() {
  timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$TMP/chrome" "${@:3}" --dump-dom "$1" >"$2" 2>"$2.err"
}

# ---- the list ------------------------------------------------------------
chrome "$RS_URL" "$TMP/list.html"; rc=$?
[ $rc -eq 0 ] && ok "chromium loads the catalog" || { fail "chromium failed ($rc): $(tail -3 "$TMP/list.html.err")"; finish; }
for s in example/hello testing/noop testing/everything testing/versioned; do
  grep -q "data-name=\"$s\"" "$TMP/list.html" && ok "the list shows $s" || fail "$s missing from the list"
done
[ "$(grep -o 'class="skill"' "$TMP/list.html" | wc -l)" = 4 ] && ok "one row per skill (newest version)" || fail "row count"
grep -q '<form method="get" action="./"' "$TMP/list.html" && ok "search is a plain GET form" || fail "form"

# ---- search by a tool name -----------------------------------------------
chrome "${RS_URL}?q=greet" "$TMP/search.html"
grep -q 'data-name="example/hello"' "$TMP/search.html" && ok "search finds example/hello by its tool 'greet'" || fail "search by tool"
grep -q 'data-name="testing/noop"' "$TMP/search.html" && fail "search shows a skill that does not match" || ok "search leaves out the others"
grep -q 'value="greet"' "$TMP/search.html" && ok "the form keeps the query" || fail "query not kept"
chrome "${RS_URL}?q=%3Cscript%3E%22x" "$TMP/search2.html"
grep -qi '<script' "$TMP/search2.html" && fail "a query injects markup" || ok "a query with markup is escaped"

# ---- a skill page ---------------------------------------------------------
chrome "${RS_URL}skills/testing/versioned" "$TMP/skill.html"
grep -q 'id="version">1.1.0<' "$TMP/skill.html" && ok "the skill page shows the newest version" || fail "version"
grep -q 'testing/versioned.version' "$TMP/skill.html" && ok "the skill page lists its tools" || fail "tools"
grep -q 'api.example.com' "$TMP/skill.html" && ok "the skill page lists its permissions" || fail "permissions"
grep -q 'skillhost install testing/versioned@1.1.0' "$TMP/skill.html" && ok "the skill page shows the install command" || fail "install command"
grep -q 'skillhost registry add demo' "$TMP/skill.html" && ok "the skill page shows how to add the registry" || fail "registry add"
[ "$(grep -o '<td>1\.[01]\.0</td>' "$TMP/skill.html" | wc -l)" = 2 ] && ok "the skill page lists both versions" || fail "versions"
grep -q 'id="publisher">' "$TMP/skill.html" && ok "the skill page names the publisher key" || fail "publisher"
grep -qiE '<script|<img|<b>bold' "$TMP/skill.html" && fail "a description injected markup" || ok "the description's markup is inert text"
grep -q '&lt;script&gt;alert' "$TMP/skill.html" && ok "the description is shown, escaped" || fail "description text"
run curl -fsS "${RS_URL}skills/testing/versioned"
case "$out" in *'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;'*) ok "the server escapes & < > \" in text" ;; *) fail "raw escaping" ;; esac
case "$out" in *"&#39;apostrophes&#39;"*) ok "the server escapes apostrophes" ;; *) fail "apostrophes" ;; esac
run curl -fsSI "${RS_URL}"
expect_out "Content-Security-Policy: default-src 'none'" "pages forbid scripts (CSP)"
run curl -s -o /dev/null -w '%{http_code}' "${RS_URL}skills/testing/nothing"
[ "$out" = 404 ] && ok "an unknown skill is 404" || fail "unknown skill: $out"

# ---- a screenshot ---------------------------------------------------------
chrome "${RS_URL}?q=test" "$TMP/shot.html" --window-size=1280,900 --screenshot="$TMP/catalog.png"
if [ -s "$TMP/catalog.png" ] && [ "$(head -c 8 "$TMP/catalog.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
   [ "$(stat -c %s "$TMP/catalog.png")" -gt 10000 ]; then
  ok "screenshot: a $(stat -c %s "$TMP/catalog.png")-byte PNG"
  cp "$TMP/catalog.png" "$BUILD_DIR/registry-catalog.png" 2>/dev/null
else
  fail "no screenshot"
fi
finish
