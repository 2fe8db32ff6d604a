#!/usr/bin/env bash
# Guardrails against operator mistakes (issue 18): `config` checks keys and
# values against the installed skill's settings schema and the host's
# policy keys, with "did you mean"; `secret set` and `permit` refuse skills
# that are not installed and secret names the skill does not declare,
# unless --force; `secret list` shows every skill's declared, set and
# missing secrets; `secret set` asks without echo on a terminal; `remove`
# says what it leaves and `remove --purge` takes it too; `doctor` checks
# missing secrets, registry indexes near expiry and file modes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"
JIRA=$PKG/skillhost-jira-1.0.0.skill
EVERY_PKG=$PKG/testing-everything-1.0.0.skill
run "$SH" trust add "$DEVPUB" --namespace skillhost --namespace testing --namespace example; expect_rc 0 "trust the dev key"
run "$SH" install "$JIRA"; expect_rc 0 "install jira"
run "$SH" install "$EVERY_PKG"; expect_rc 0 "install everything"

# ---- config --------------------------------------------------------------
run "$SH" config skillhost/jira timout 5000
expect_rc 2 "an unknown key is refused"; expect_err "has no setting 'timout'" "the key is named"
expect_err "did you mean 'timeout' (host policy)" "the near policy key is suggested"
run "$SH" config skillhost/jira base_url 'not a url'
expect_rc 2 "a value against the schema is refused"; expect_err "/base_url" "the key is named"; expect_err "pattern" "the rule is named"
run "$SH" config skillhost/jira base_url https://acme.atlassian.net; expect_rc 0 "a valid setting"
run "$SH" config skillhost/jira base_url; expect_out "https://acme.atlassian.net" "it is stored"
run "$SH" config testing/everything greting hi
expect_rc 2 "a typo of a setting"; expect_err "did you mean 'greeting'?" "the near setting is suggested"
run "$SH" config testing/everything greeting "far too long for the schema limit"
expect_rc 2 "the installed skill's schema checks the value, no --skill needed"
run "$SH" config testing/everything colour red --force
expect_rc 2 "--force does not override the schema's own additionalProperties"
run "$SH" config skillhost/jira timeout 5s; expect_rc 0 "a policy key"
run "$SH" config skillhost/jira timeout soon; expect_rc 2 "a bad policy value"; expect_err "duration" "the rule is named"
run "$SH" config acme/typo timout 5; expect_rc 2 "a near policy key for a skill that is not installed"
expect_err "did you mean 'timeout'" "suggested there too"
run "$SH" config acme/typo custom 5; expect_rc 0 "an unchecked setting of a skill not installed"
expect_err "not installed" "is stored with a note"
run "$SH" config --json skillhost/jira; expect_rc 0 "config --json"; expect_out '"base_url": "https://acme.atlassian.net"' "config --json shows the settings"
run "$SH" config --host timout 5s; expect_rc 2 "an unknown host key"; expect_err "did you mean 'timeout'" "host keys get a suggestion"

# ---- secret and permit ---------------------------------------------------
run "$SH" secret set acme/typo FOO </dev/null; expect_rc 4 "secret set for a skill that is not installed"
expect_err "acme/typo is not installed" "it says so"
run "$SH" secret set skillhost/jiar JIRA_API_TOKEN </dev/null; expect_err "did you mean skillhost/jira?" "a near installed skill is suggested"
run "$SH" secret set skillhost/jira JIRA_APITOKEN </dev/null; expect_rc 2 "an undeclared secret name"
expect_err "did you mean JIRA_API_TOKEN?" "the declared name is suggested"
expect_err "it declares: JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN" "the declared names are listed"
run "$SH" secret set skillhost/jira JIRA_APITOKEN --from-env; expect_rc 2 "--from-env is checked too"
run "$SH" permit acme/typo api.example.com; expect_rc 4 "permit for a skill that is not installed"
run "$SH" permit acme/typo api.example.com --force; expect_rc 0 "permit --force"; expect_err "anyway (--force)" "--force is noted"
printf 'x' | "$SH" secret set acme/typo FOO --force >/dev/null 2>&1 && ok "secret set --force" || fail "secret set --force"
printf 'tok' | "$SH" secret set skillhost/jira JIRA_API_TOKEN >/dev/null; ok "set a declared secret"
run "$SH" secret list
expect_out "skillhost/jira               JIRA_API_TOKEN               set" "secret list: every skill, set"
expect_out "skillhost/jira               JIRA_EMAIL                   missing" "secret list: missing"
expect_err "declared secrets are missing" "secret list counts the missing"
run "$SH" secret list --json; expect_out '"skill": "skillhost/jira"' "secret list --json per skill"
# On a terminal the value is asked for, without echo (script(1) gives a pty;
# the value is typed after the prompt shows).
if command -v script >/dev/null; then
  (sleep 1; printf 'typed-secret\n') | script -qec "$SH secret set skillhost/jira JIRA_EMAIL" /dev/null >"$TMP/pty.out" 2>&1
  grep -q "Value of JIRA_EMAIL for skillhost/jira (not shown)" "$TMP/pty.out" && ok "secret set prompts on a terminal" || { fail "no prompt"; cat "$TMP/pty.out"; }
  grep -q typed-secret "$TMP/pty.out" && fail "the typed value was echoed" || ok "the typed value is not echoed"
  run "$SH" secret list skillhost/jira; expect_out "JIRA_EMAIL                       set" "the prompted value is stored"
else fail "script(1) is needed for the terminal prompt test"; fi

# ---- doctor --------------------------------------------------------------
run "$SR" init "$REG" --expires-in 1d; expect_rc 0 "a registry whose index expires in a day"
run "$SH" registry add near "file://$REG" --root-key "$KEYS/root.pub"; expect_rc 0 "registry add"
chmod 644 "$SKILLHOST_HOME/secrets.json"
run "$SH" doctor
expect_rc 5 "doctor fails on a readable secrets file"
expect_out "secrets.json has mode 644" "doctor: the secrets file mode"; expect_out "fix: chmod 600" "doctor: how to fix it"
expect_out "registry near: its index expires at" "doctor: the index near expiry"
expect_out "skillhost/jira: declared secrets not set: JIRA_BASE_URL" "doctor: missing declared secrets"
chmod 600 "$SKILLHOST_HOME/secrets.json"
run "$SH" --json doctor; expect_rc 0 "doctor passes with warnings only"; expect_out '"level": "warning"' "doctor --json lists the findings"

# ---- install again, remove, purge ----------------------------------------
run "$SH" install "$JIRA"; expect_rc 0 "the same version again"; expect_out "already installed; nothing to do" "the no-op says so"
run "$SH" remove skillhost/jira; expect_rc 0 "remove"
expect_out "kept skillhost/jira's 2 stored secrets and its configuration" "remove says what it left"
run "$SH" secret list skillhost/jira; expect_out "JIRA_API_TOKEN" "the secrets stay for a reinstall"
run "$SH" remove skillhost/jira --purge; expect_rc 0 "--purge after remove"
expect_out "purged skillhost/jira's 2 stored secrets and its configuration" "--purge says what it took"
run "$SH" config skillhost/jira base_url; expect_rc 4 "the configuration is gone"
run "$SH" secret list skillhost/jira --json; expect_out "[]" "the secrets are gone"
run "$SH" install "$JIRA"; printf 't' | "$SH" secret set skillhost/jira JIRA_API_TOKEN >/dev/null
run "$SH" remove --purge skillhost/jira; expect_rc 0 "remove --purge at once"
expect_out "removed skillhost/jira" "it removes"; expect_out "purged skillhost/jira's 1 stored secret" "and purges"
run "$SH" remove skillhost/jira; expect_rc 4 "remove of a skill not installed"
finish
