#!/usr/bin/env bash
# Progressive disclosure of Agent Skills in `skillhost agent`, against the
# fake OpenAI API (tests/fakes/fake_llm.mjs): the system prompt lists each
# installed skill's name and description but none of its instructions; the
# model gets activate_skill and read_skill_file besides the native tools;
# reading a file before activating its skill is refused; activation
# returns SKILL.md and the file list; read_skill_file returns a reference
# and a script as text (never run); a package with a tampered file offers
# no skills at all.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || { echo "FAIL: node is needed for the fake vendors"; exit 1; }
FAKE=$TESTS_DIR/fakes/fake_llm.mjs
KEY=$SKILLS_OUT/dev
export OPENAI_API_KEY="sk-test-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
unset OPENAI_BASE_URL
"$SH" trust add "$KEY.pub" --namespace testing >/dev/null

SRC=$TMP/mixed
cp -r "$SKILLS_OUT/pkgsrc/testing-sleeper-1.0.0" "$SRC"
for s in alpha beta; do
  mkdir -p "$SRC/skills/$s/references" "$SRC/skills/$s/scripts"
  printf -- '---\nname: %s\ndescription: Handles %s requests.\n---\n# %s steps\n\nSECRET-BODY-%s: read references/REF.md.\n' \
    "$s" "$s" "$s" "$s" >"$SRC/skills/$s/SKILL.md"
  echo "reference text of $s" >"$SRC/skills/$s/references/REF.md"
  printf '#!/bin/sh\ntouch %s/ran-%s\n' "$TMP" "$s" >"$SRC/skills/$s/scripts/go.sh"
done
{ "$SH" pack "$SRC" -o "$TMP/m.skill" && "$SH" sign "$TMP/m.skill" -s "$KEY.sec" &&
  "$SH" install "$TMP/m.skill"; } >/dev/null || { fail "set up the store"; finish; }

TOOLS=$("$SH" tools --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(JSON.parse(s).map(t=>t.functionName).concat(["activate_skill","read_skill_file"]))))')
PROMPT="Do the alpha thing."
SCRIPT='[{"calls":[{"name":"read_skill_file","args":{"name":"beta","path":"references/REF.md"},"expectError":true,"expectText":"Activate the skill first"}]},
 {"calls":[{"name":"activate_skill","args":{"name":"alpha"},"expectText":"SECRET-BODY-alpha"},
           {"name":"activate_skill","args":{"name":"nope"},"expectError":true,"expectText":"no Agent Skill named"}]},
 {"calls":[{"name":"read_skill_file","args":{"name":"alpha","path":"references/REF.md"},"expectText":"reference text of alpha"},
           {"name":"read_skill_file","args":{"name":"alpha","path":"scripts/go.sh"},"expectText":"touch"},
           {"name":"read_skill_file","args":{"name":"alpha","path":"../../manifest.json"},"expectError":true,"expectText":"has no file"}]},
 {"text":"Done with alpha."}]'

run_fake() { # run_fake NAME SCRIPT: start the fake, run the agent, stop it
  cat >"$TMP/$1.json" <<EOF
{"portFile": "$TMP/$1.port", "reportFile": "$TMP/$1.report.json", "lifetimeMs": 60000,
 "keys": {"openai": "$OPENAI_API_KEY"}, "expectTools": $TOOLS, "prompt": "$PROMPT",
 "scripts": {"openai": $2}}
EOF
  node "$FAKE" "$TMP/$1.json" & local fp=$!
  for _ in $(seq 600); do [ -s "$TMP/$1.port" ] && break; sleep 0.05; done
  run "$SH" agent --backend openai --model gpt-fake --base-url "http://127.0.0.1:$(cat "$TMP/$1.port")/v1" \
      --json --max-steps 6 "$PROMPT"
  kill "$fp" 2>/dev/null; wait "$fp" 2>/dev/null
  REPORT=$TMP/$1.report.json
}
viol() { node -e 'console.log(require(process.argv[1]).violations.join(" | "))' "$REPORT"; }

run_fake main "$SCRIPT"
expect_rc 0 "the agent answers after using the skill"
expect_out '"answer": "Done with alpha."' "the answer"
[ -z "$(viol)" ] && ok "the fake saw the declared tools and every expected result" || fail "fake: $(viol)"
sys=$(printf %s "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(r.transcript.find(m=>m.role==="system").content)})')
case "$sys" in *"- alpha: Handles alpha requests."*"- beta: Handles beta requests."*) ok "the system prompt lists names and descriptions" ;;
  *) fail "system prompt: $sys" ;; esac
case "$sys" in *SECRET-BODY*) fail "the instructions were disclosed up front" ;; *) ok "but no instructions until activation" ;; esac
[ ! -e "$TMP/ran-alpha" ] && ok "the skill's script was read, never run" || fail "the script ran"

# A tampered installed file: that package's skills are not offered at all
# (checked when the agent starts), and the log says why.
md=$(find "$SKILLHOST_HOME/skills" -path '*skills/alpha/SKILL.md')
echo "more" >>"$md"
TOOLS=$("$SH" tools --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(JSON.parse(s).map(t=>t.functionName))))')
run_fake tamper '[{"text":"ok"}]'
expect_rc 0 "the agent runs without the tampered package's skills"
[ -z "$(viol)" ] && ok "only the native tools are declared" || fail "fake: $(viol)"
expect_err "alpha/SKILL.md was changed after install" "the warning names the changed file"
case "$out" in *"Agent Skills are available"*) fail "the tampered skills are still listed" ;;
  *) ok "the system prompt lists no skills" ;; esac
finish
