#!/usr/bin/env bash
# Attacks on the marketplace, each refused with a clear error and the store
# left unchanged: rollback, freeze, mix-and-match, endless data, wrong
# software, namespace hijack, a rotated (retired) index key, malicious
# mirrors, slow retrieval, malformed and oversized indexes. The registry is
# served by registry_evil_server.mjs, which misbehaves on request, through
# two "mirrors" (a and b).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"
VPATH=packages/testing/versioned/versioned-1.0.0.skill
HPATH=packages/example/hello/hello-1.0.0.skill

"$SR" -q init "$REG" >/dev/null
"$SR" -q publisher add "$REG" example "$DEVPUB" >/dev/null
"$SR" -q publisher add "$REG" testing "$DEVPUB" >/dev/null
V1=$(pack_versioned 1.0.0)
"$SR" -q add "$REG" "$HELLO" "$NOOP" "$V1" >/dev/null || { echo "FAIL: setup"; exit 1; }
"$SH" keygen -W -p "$TMP/other.pub" -s "$TMP/other.sec" >/dev/null
mkdir -p "$TMP/alt"
start_evil "$REG" "$TMP/alt"
run "$SH" registry add evil "$EVIL_URL/m/a/" --mirror "$EVIL_URL/m/b/" --root-key "$KEYS/root.pub" --trust-publishers --namespace example --namespace testing
expect_rc 0 "registry add through the test server"
"$SH" trust add "$TMP/other.pub" --namespace other >/dev/null

# save NAME / restore NAME: the served index and its signature.
save() { mkdir -p "$TMP/$1"; cp "$REG/index.json" "$REG/index.json.minisig" "$TMP/$1/"; }
restore() { cp "$TMP/$1/index.json" "$TMP/$1/index.json.minisig" "$REG/"; }
# forge FILE SEC [LENGTH]: serve FILE as index.json, signed with SEC with a
# trusted comment made from its own version and expiry (LENGTH overrides
# the signed length).
forge() {
  local comment
  comment=$(python3 - "$1" "${3:-}" <<'EOF'
import hashlib, json, sys, time
data = open(sys.argv[1], 'rb').read()
try:
    j = json.loads(data); v, exp = j["version"], j["expires"]
except Exception:
    v, exp = 999, "2099-01-01T00:00:00Z"
length = sys.argv[2] or len(data)
print(f"skillhost-index:1 version:{v} expires:{exp} length:{length} "
      f"blake2b256:{hashlib.blake2b(data, digest_size=32).hexdigest()} timestamp:{int(time.time())}")
EOF
)
  cp "$1" "$REG/index.json"
  "$SH" sign "$REG/index.json" -s "$2" -t "$comment" -o "$REG/index.json.minisig" >/dev/null
}
# bump FILE VERSION: a copy of the served index with another version.
bump() {
  python3 - "$REG/index.json" "$1" "$2" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1])); j["version"] = int(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(j))
EOF
}
seen() { index_version_seen evil; }

before=$(store_snapshot)

# ---- rollback ------------------------------------------------------------
save old
"$SR" -q resign "$REG" >/dev/null
run "$SH" registry update evil; expect_rc 0 "the client sees the new index"
newest=$(seen)
save new
restore old
run "$SH" registry update evil; expect_rc 3 "rollback: an older signed index is refused"
expect_err "rollback" "the refusal names the rollback"
run "$SH" install testing/versioned; expect_rc 3 "rollback: install refuses too"
[ "$(seen)" = "$newest" ] && ok "rollback: the highest version seen stays $newest" || fail "rollback lowered the floor"
expect_store_unchanged "$before" "rollback"
restore new

# ---- freeze --------------------------------------------------------------
"$SR" -q resign "$REG" --expires-in 2 >/dev/null
run "$SH" registry update evil; expect_rc 0 "a short-lived index is accepted while valid"
sleep 3
run "$SH" registry update evil; expect_rc 3 "freeze: an expired index is refused"
expect_err "expired at" "the refusal says when it expired"
run "$SH" install testing/versioned; expect_rc 3 "freeze: install refuses"
run "$SH" search --offline versioned; expect_err "expired" "freeze: the offline cache is not used past its expiry"
expect_store_unchanged "$before" "freeze"
"$SR" -q resign "$REG" >/dev/null

# ---- mix-and-match -------------------------------------------------------
cp "$REG/$VPATH" "$REG/$VPATH.minisig" "$TMP/"
V1B=$(pack_versioned 1.0.0 "" 12345)      # validly signed, other bytes
cmp -s "$V1" "$V1B" && fail "mix-and-match: the two builds are identical"
cp "$V1B" "$REG/$VPATH"; cp "$V1B.minisig" "$REG/$VPATH.minisig"
run "$SH" verify "$REG/$VPATH" -p "$DEVPUB"; expect_rc 0 "mix-and-match: the other build is validly signed"
run "$SH" install testing/versioned@1.0.0; expect_rc 3 "mix-and-match: a package the index did not list is refused"
expect_err "mix-and-match" "the refusal names it"
cp "$TMP/versioned-1.0.0.skill.minisig" "$REG/$VPATH.minisig"
run "$SH" install testing/versioned@1.0.0; expect_rc 3 "mix-and-match: other bytes under the listed signature"
expect_err "BLAKE2b-256" "the refusal names the hash"
expect_store_unchanged "$before" "mix-and-match"
cp "$TMP/versioned-1.0.0.skill" "$REG/$VPATH"

# ---- endless data --------------------------------------------------------
evil_mode '*' "$VPATH" endless
run timeout 60 "$SH" install testing/versioned@1.0.0; expect_rc 3 "endless data: refused at the listed length"
expect_err "more than the" "the refusal says it sent too much"
expect_store_unchanged "$before" "endless data"
evil_reset

# ---- wrong software ------------------------------------------------------
cp "$REG/$HPATH" "$TMP/hello.keep"
cp "$NOOP" "$REG/$HPATH"
run "$SH" install example/hello; expect_rc 3 "wrong software: another package at the URL"
expect_err "wrong bytes" "the refusal says the bytes are wrong"
cp "$TMP/hello.keep" "$REG/$HPATH"
evil_mode '*' "$HPATH" alter
run "$SH" install example/hello; expect_rc 3 "wrong software: altered bytes from every mirror"
expect_store_unchanged "$before" "wrong software"
evil_reset

# ---- namespace hijack ----------------------------------------------------
# (a) The registry refuses a package signed by a key not allowed there.
VX=$(pack_versioned 0.9.0 "" 0 "$TMP/other.sec" "$TMP/other.pub")
run "$SR" add "$REG" "$VX"; expect_rc 3 "hijack: skillreg refuses a foreign key for the namespace"
expect_err "does not allow to publish in namespace \"testing\"" "the registry says why"
# (b) A registry that lists the hijacker's key for the namespace: the
# host's own trust still binds the namespace to its publisher.
mkdir -p "$TMP/hsrc"; cp -r "$SKILLS_OUT/pkgsrc/example-hello-1.0.0/." "$TMP/hsrc/"
"$SH" pack "$TMP/hsrc" -o "$TMP/hijack.skill" -p "$TMP/other.pub" >/dev/null
"$SH" sign "$TMP/hijack.skill" -s "$TMP/other.sec" >/dev/null
"$SR" -q init "$TMP/reg2" >/dev/null
"$SR" -q publisher add "$TMP/reg2" example "$TMP/other.pub" >/dev/null
"$SR" -q add "$TMP/reg2" "$TMP/hijack.skill" >/dev/null
run "$SH" registry add hijack "file://$TMP/reg2/" --root-key "$TMP/reg2.keys/root.pub"
expect_rc 0 "a second registry, over file://"
run "$SH" install example/hello --registry hijack; expect_rc 3 "hijack: another registry's key for example/ is refused"
expect_err "does not trust for it" "the refusal says the host does not trust it"
run "$SH" install example/hello; expect_rc 2 "two registries list example/hello: the host asks which"
expect_err "--registry" "the refusal says how to choose"
# (c) The served signature swapped for one by another key.
# `skillhost sign` refuses a key other than the manifest's publisher, so
# the attacker uses minisign itself, with the package comment for the
# package's own bytes.
command -v minisign >/dev/null || skip "minisign is needed to forge the signature (scripts/deps.sh installs it)"
cp "$HELLO" "$TMP/h.skill"
hhash=$(python3 -c 'import hashlib,sys; print(hashlib.blake2b(open(sys.argv[1],"rb").read(), digest_size=32).hexdigest())' "$TMP/h.skill")
minisign -S -s "$TMP/other.sec" -m "$TMP/h.skill" -x "$TMP/h.skill.minisig" \
  -t "skillhost-package:1 name:example/hello version:1.0.0 blake2b256:$hhash timestamp:0" </dev/null >/dev/null
cp "$REG/$HPATH.minisig" "$TMP/hello.sig.keep"
cp "$TMP/h.skill.minisig" "$REG/$HPATH.minisig"
run "$SH" install example/hello --registry evil; expect_rc 3 "hijack: a signature by another key is refused"
expect_err "lists $("$SH" verify "$HELLO" -p "$DEVPUB" | sed 's/.*key //') as its publisher" "the refusal names both keys"
cp "$TMP/hello.sig.keep" "$REG/$HPATH.minisig"
expect_store_unchanged "$before" "namespace hijack"
"$SH" registry remove hijack >/dev/null

# ---- rotated index key ---------------------------------------------------
# The index key leaks, and the thief fast-forwards clients to a huge index
# version: rotating the key must bring them back (the floor is reset when
# the root changes the index keys).
save real
bump "$TMP/ff.json" 100000
forge "$TMP/ff.json" "$KEYS/index.sec"
run "$SH" registry update evil; expect_rc 0 "a leaked index key fast-forwards the client"
[ "$(seen)" = 100000 ] && ok "the client is at version 100000" || fail "fast-forward: $(seen)"
restore real
cp "$KEYS/index.sec" "$TMP/old-index.sec"
run "$SR" rotate-key "$REG"; expect_rc 0 "rotate the index key"
run "$SH" registry update evil; expect_rc 0 "the client follows root version 2"
[ "$(seen)" -lt 100000 ] && ok "fast-forward recovery: the new key's versions count again" || fail "still fast-forwarded"
save rotated
bump "$TMP/forged.json" $(( $(seen) + 10 ))
forge "$TMP/forged.json" "$TMP/old-index.sec"
run "$SH" registry update evil; expect_rc 3 "rotated key: an index signed by the retired key is refused"
expect_err "does not list as an index key" "the refusal names the retired key"
run "$SH" install testing/versioned; expect_rc 3 "rotated key: install refuses"
expect_store_unchanged "$before" "rotated index key"
restore rotated

# ---- malicious mirror ----------------------------------------------------
evil_mode a "$VPATH" alter
run "$SH" install testing/versioned@1.0.0; expect_rc 0 "malicious mirror: altered bytes from a, then b succeeds"
expect_err "trying the next mirror" "the fallover is reported"
"$SH" remove testing/versioned >/dev/null
evil_mode a "$VPATH" 404
run "$SH" install testing/versioned@1.0.0; expect_rc 0 "a mirror without the file: the next one serves it"
"$SH" remove testing/versioned >/dev/null
evil_reset
# Mirror a serves a stale (older, validly signed) index: refused there,
# and mirror b's current one is used.
"$SR" -q resign "$REG" >/dev/null
run "$SH" registry update evil; expect_rc 0 "the client sees a newer index"
cp "$TMP/rotated/index.json" "$TMP/rotated/index.json.minisig" "$TMP/alt/"
evil_mode a index.json alt
evil_mode a index.json.minisig alt
run "$SH" registry update evil; expect_rc 0 "a stale mirror: its rolled-back index is refused, b's is used"
expect_err "rollback" "the stale mirror's refusal is reported"
evil_mode a index.json.minisig 404
run "$SH" registry update evil; expect_rc 0 "an index missing on mirror a comes from b"
evil_reset
before=$(store_snapshot)

# ---- slow retrieval ------------------------------------------------------
evil_mode '*' "$VPATH" trickle
t0=$(date +%s)
run env SKILLHOST_LOW_SPEED_LIMIT=1000 SKILLHOST_LOW_SPEED_TIME=2 SKILLHOST_RETRIES=0 \
  timeout 60 "$SH" install testing/versioned@1.0.0
expect_rc 5 "slow retrieval: a trickling server times out"
expect_err "timed out" "the refusal says it timed out"
[ $(( $(date +%s) - t0 )) -lt 20 ] && ok "slow retrieval: stopped within the low-speed window" || fail "slow retrieval took too long"
expect_store_unchanged "$before" "slow retrieval"
evil_reset

# ---- resume with Range ---------------------------------------------------
evil_mode a "$VPATH" drop
run "$SH" install testing/versioned@1.0.0; expect_rc 0 "a dropped connection is resumed"
expect_out "resumed" "the install says it resumed"
grep -q '"range":"bytes=' <(curl -fsS "$EVIL_URL/__log") && ok "the retry asked for a byte range" || fail "no Range request"
"$SH" remove testing/versioned >/dev/null
before=$(store_snapshot)
evil_reset

before=$(store_snapshot)
# ---- dripping retrieval ------------------------------------------------
# A server dripping bytes just above the minimum rate (150 B/s against
# 100 B/s) would hold the install for size / 150 s; the total deadline
# (shrunk here from 60 s + size / 256 KiB/s to 2 s + size / 1 MiB/s) cuts
# it off, with no retry and no wait for the next mirror.
evil_mode '*' "$VPATH" drip
vsize=$(stat -c %s "$REG/$VPATH")
t0=$(date +%s%N)
run env SKILLHOST_LOW_SPEED_LIMIT=100 SKILLHOST_LOW_SPEED_TIME=2 \
  SKILLHOST_DOWNLOAD_DEADLINE_FLOOR=2 SKILLHOST_DOWNLOAD_DEADLINE_RATE=1048576 \
  timeout 120 "$SH" install testing/versioned@1.0.0
took=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_rc 5 "drip: a server dripping above the minimum rate is cut off"
expect_err "did not finish within the download's deadline of 2 s" "drip: the error names the deadline"
expect_err "sends bytes just fast enough not to be dropped" "drip: the error says what happened"
expect_err "SKILLHOST_DOWNLOAD_DEADLINE_FLOOR" "drip: the error says what to do"
[ "$took" -lt 6000 ] && ok "drip: stopped in $took ms (the drip needs $(( vsize / 150 )) s)" \
  || fail "drip: took $took ms"
[ $(( vsize / 150 )) -gt 10 ] && ok "drip: the package takes longer than the deadline to drip" \
  || fail "drip: the package ($vsize bytes) is too small to test the deadline"
expect_store_unchanged "$before" "drip"
evil_reset

# ---- malformed and oversized indexes ------------------------------------
floor=$(seen)
"$SR" -q resign "$REG" >/dev/null    # a version the client must download
save good
v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$REG/index.json")
head -c 100 "$TMP/good/index.json" > "$REG/index.json"
cp "$REG/indexes/$v.json" "$TMP/versioned.keep"; head -c 100 "$TMP/good/index.json" > "$REG/indexes/$v.json"
run "$SH" registry update evil; expect_rc 3 "malformed: a truncated index is refused"
expect_err "it sent 100 bytes" "the refusal says it is short"
cp "$TMP/versioned.keep" "$REG/indexes/$v.json"
printf '{"type":"skillhost-index","format":1,"version":%d,"expires":"2099-01-01T00:00:00Z",' $((v + 1)) > "$TMP/broken.json"
forge "$TMP/broken.json" "$KEYS/index.sec"
run "$SH" registry update evil; expect_rc 5 "malformed: validly signed broken JSON is refused"
expect_err "not a JSON object" "the refusal says it is not JSON"
python3 - "$TMP/good/index.json" "$TMP/badhash.json" $((v + 1)) <<'EOF'
import json, sys
j = json.load(open(sys.argv[1])); j["version"] = int(sys.argv[3])
j["packages"][0]["blake2b256"] = "XYZ"
open(sys.argv[2], "w").write(json.dumps(j))
EOF
forge "$TMP/badhash.json" "$KEYS/index.sec"
run "$SH" registry update evil; expect_rc 5 "malformed: a bad field is refused"
expect_err "packages[0].blake2b256" "the refusal names the field"
forge "$TMP/badhash.json" "$KEYS/index.sec" 100000000
run "$SH" registry update evil; expect_rc 3 "oversized: a signed length over the cap is refused before downloading"
expect_err "cap" "the refusal names the cap"
restore good
evil_mode '*' index.json endless
evil_mode '*' "indexes/$v.json" endless
"$SR" -q resign "$REG" >/dev/null
evil_mode '*' "indexes/$((v + 1)).json" endless
run timeout 60 "$SH" registry update evil; expect_rc 3 "oversized: an endless index stops at its signed length"
expect_err "more than the" "the refusal says it sent too much"
evil_mode '*' index.json.minisig endless
run timeout 60 "$SH" registry update evil; expect_rc 3 "oversized: an endless signature stops at its cap"
evil_reset
[ "$(seen)" = "$floor" ] && ok "the rollback floor survived every refusal" || fail "floor changed"
expect_store_unchanged "$before" "malformed indexes"
run "$SH" registry update evil; expect_rc 0 "and the registry works again once it behaves"
finish
