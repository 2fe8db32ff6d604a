#!/usr/bin/env bash
# CLI conventions (issue 18): completion scripts that load and complete
# commands, verbs and options; "did you mean" for a mistyped command; each
# usage error printed once; the same exit code with and without --json;
# RFC 3339 times and snake_case keys in JSON; error epilogues that fit the
# error; and `cmake --install` placing man pages generated from --help,
# the documents, the manifest schema and the completion scripts.
. "$(dirname "$0")/lib.sh"
SR=$BUILD_DIR/registry/skillreg

# ---- completion ----------------------------------------------------------
run "$SH" completion bash; expect_rc 0 "completion bash"
printf '%s\n' "$out" >"$TMP/skillhost.bash"
complete_words() { # complete_words WORD...: what bash offers for the last
  bash -c '
    source "$1" || exit 9; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _skillhost; printf "%s\n" "${COMPREPLY[@]}"' _ "$TMP/skillhost.bash" "$@"
}
[ "$(complete_words "$SH" ins)" = install ] && ok "bash: a command completes" || fail "bash: ins -> $(complete_words "$SH" ins)"
[ "$(complete_words "$SH" --json tr)" = trust ] && ok "bash: after a global option" || fail "bash: --json tr"
[ "$(complete_words "$SH" secret '' | tr '\n' ' ')" = "set list remove " ] && ok "bash: a command's verbs" || fail "bash: secret verbs: $(complete_words "$SH" secret '')"
[ "$(complete_words "$SH" agent --fall)" = --fallback ] && ok "bash: options from the command's --help" || fail "bash: agent --fall"
[ "$(complete_words "$SH" help comp)" = completion ] && ok "bash: help COMMAND" || fail "bash: help comp"
n=$(complete_words "$SH" '' | wc -l); want=$(( $("$SH" completion commands | wc -l) + 1 ))
[ "$n" = "$want" ] && ok "bash: every command ($n) is offered" || fail "bash: $n commands offered, wanted $want"
run bash -c 'source /dev/stdin; complete -p skillhost' < "$TMP/skillhost.bash"
expect_out "complete -o filenames -F _skillhost skillhost" "bash: registered for skillhost"
run "$SH" completion zsh; expect_rc 0 "completion zsh"; expect_out "compdef _skillhost skillhost" "zsh script"
printf '%s\n' "$out" >"$TMP/_skillhost"
if command -v zsh >/dev/null; then
  run zsh -fc "autoload -U compinit; compinit -u; source $TMP/_skillhost; print -l \${(k)_comps[skillhost]}"
  expect_rc 0 "zsh loads the script"; expect_out "skillhost" "zsh registers it"
else echo "note: zsh is not installed; its script is only checked as text"; fi
case "$out" in *"'install:install a signed package"*) ok "zsh: commands with their summaries" ;; *) fail "zsh: no install entry" ;; esac
run "$SH" completion fish; expect_rc 0 "completion fish"; expect_out "-a install -d" "fish script"
if command -v fish >/dev/null; then
  printf '%s\n' "$out" >"$TMP/skillhost.fish"
  run fish -c "source $TMP/skillhost.fish; complete -C 'skillhost ins'"; expect_out "install" "fish completes a command"
else echo "note: fish is not installed; its script is only checked as text"; fi
run "$SH" completion tcsh; expect_rc 2 "an unknown shell"

# ---- did you mean, errors once, exit codes -------------------------------
run "$SH" instal x; expect_rc 2 "a mistyped command"; expect_err "did you mean 'install'?" "did you mean"
run "$SH" help confg; expect_rc 2 "help of a mistyped command"; expect_err "did you mean 'config'?" "help: did you mean"
run "$SH" install --bogus x; expect_rc 2 "an unknown option"
[ "$(grep -c -- --bogus <<<"$err")" = 1 ] && ok "the error is printed once, naming the option" || fail "printed: $err"
run "$SH" search zzzz; a=$rc; run "$SH" search zzzz --json; b=$rc
[ "$a" = "$b" ] && ok "search exits $a with and without --json" || fail "search exits $a, --json $b"
run "$SH" --json search zzzz; [ "$rc" = "$a" ] && ok "global --json: the same exit" || fail "global --json search exits $rc"
run "$SH" config --json testing/none; expect_rc 0 "config --json is accepted"
for c in "remove testing/none" "rollback testing/none" "info testing/none"; do
  run "$SH" $c; a=$rc; run "$SH" $c --json; b=$rc
  [ "$a" = "$b" ] && [ "$a" != 2 ] && ok "$c: exit $a with and without --json" || fail "$c: exit $a, with --json $b"
done
run "$SH" verify /nonexistent.skill --json; expect_rc 3 "verify --json is accepted (and fails as without)"

# ---- JSON keys and times -------------------------------------------------
run "$SH" trust add "$SKILLS_OUT/dev.pub" --namespace example; expect_rc 0 "trust add"
run "$SH" --json trust list
grep -Eq '"added": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' <<<"$out" \
  && ok "trust list: RFC 3339" || fail "trust list: $out"
run "$SH" trust list; grep -Eq 'added [0-9]{4}-[0-9]{2}-[0-9]{2}T' <<<"$out" && ok "trust list text: RFC 3339" || fail "trust list: $out"
run "$SH" --json verify "$SKILLS_OUT/packages/example-hello-1.0.0.skill"
expect_rc 0 "global --json verify"; expect_out '"key_id":' "verify --json, snake_case"
run "$SH" tools --skill "$LIB/hello.so" --json; expect_out '"function_name": "example__hello__greet"' "tools --json: snake_case"
run "$SH" install "$SKILLS_OUT/packages/example-hello-1.0.0.skill" --json; expect_rc 0 "install --json"
printf 'v' | "$SH" secret set example/hello X --force >/dev/null 2>&1
run "$SH" secret remove example/hello X --json; expect_rc 0 "secret remove --json"; expect_out '"removed": "X"' "secret remove --json says what"
run "$SH" remove example/hello --json; expect_rc 0 "remove --json"; expect_out '"removed": "example/hello"' "remove --json names the skill"

# ---- error epilogues -----------------------------------------------------
"$SR" init "$TMP/reg" >/dev/null 2>&1
run "$SH" registry add r "file://$TMP/reg" --root-key "$SKILLS_OUT/dev.pub"
expect_rc 3 "a registry with another root key"
case "$err" in *"the file was not installed"*) fail "a registry error speaks of a file" ;; *) ok "no file epilogue for a registry error" ;; esac
expect_err "check the registry's root key" "the epilogue fits the registry"
run "$SH" install "$TMP/nope.skill"; case "$err" in *"registry's root key"*) fail "a file error speaks of a registry" ;; *) ok "a file error keeps the file epilogue" ;; esac
mkdir -p "$TMP/proj/build"; cp "$LIB/hello.so" "$TMP/proj/build/hello.so"
run "$SH" tools --skill "$TMP/proj"; expect_rc 2 "--skill DIR"; expect_err "--skill $TMP/proj/build/hello.so" "it names the built library"

# ---- cmake --install: man pages from --help, docs, schema, completions ---
prefix=$TMP/prefix
run cmake --install "$BUILD_DIR" --prefix "$prefix"; expect_rc 0 "cmake --install"
for f in share/man/man1/skillhost.1 share/man/man1/skillhost-agent.1 share/man/man1/skillreg.1 \
         share/doc/skillhost/README.md share/doc/skillhost/EMBEDDING.md share/doc/skillhost/sdk/ABI.md \
         share/doc/skillhost/sdk/MANIFEST.md share/doc/skillhost/sdk/manifest.schema.json \
         share/skillhost/manifest.schema.json share/bash-completion/completions/skillhost \
         share/zsh/site-functions/_skillhost share/fish/vendor_completions.d/skillhost.fish; do
  [ -s "$prefix/$f" ] && ok "installed $f" || fail "missing $f"
done
cmp -s "$prefix/share/skillhost/manifest.schema.json" "$SOURCE_DIR/sdk/manifest.schema.json" && ok "the schema is the SDK's" || fail "schema differs"
# Every command has a page whose text is its --help, line for line.
unroff() { sed -n '/^\.nf$/,/^\.fi$/p' "$1" | sed '1d;$d' | sed -e 's/^\\&//' -e 's/\\-/-/g' -e 's/\\e/\\/g'; }
bad=0
while IFS="	" read -r name _; do
  page=$prefix/share/man/man1/skillhost-$name.1
  if ! diff <(unroff "$page") <("$SH" "$name" --help) >/dev/null; then bad=$((bad + 1)); echo "  page differs: $name"; fi
done < <("$SH" completion commands)
[ $bad = 0 ] && ok "each skillhost-CMD.1 holds that command's --help" || fail "$bad pages differ from --help"
diff <(unroff "$prefix/share/man/man1/skillhost.1") <("$SH" --help) >/dev/null && ok "skillhost.1 holds skillhost --help" || fail "skillhost.1 differs"
if command -v groff >/dev/null; then
  run groff -man -Tutf8 -ww -z "$prefix/share/man/man1/skillhost-agent.1"; [ -z "$err" ] && ok "groff reads the page without warnings" || fail "groff: $err"
fi
run bash -c "source '$prefix/share/bash-completion/completions/skillhost' && complete -p skillhost"; expect_rc 0 "the installed bash script loads"
finish
