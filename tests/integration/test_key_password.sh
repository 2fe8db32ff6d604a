#!/usr/bin/env bash
# Password-encrypted secret keys, both ways with the real minisign: a key
# `skillhost keygen` encrypts signs in `minisign -S` (password on stdin),
# and a key `minisign -G` encrypts signs in `skillhost sign`. Each scrypt
# derivation costs seconds and 1 GiB, as minisign's own do.
. "$(dirname "$0")/lib.sh"
MINISIGN=$(command -v minisign || true)
[ -n "$MINISIGN" ] || skip "minisign is not installed (scripts/deps.sh installs it)"
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$TMP" || exit 1
printf 'hello\n' > file.txt
printf 's3cret pass\n' > pw
printf 'not it\n' > wrong

# ---- our encrypted key, minisign signs with it -----------------------------
run "$SH" keygen -p our.pub -s our.sec --password-file pw; expect_rc 0 "keygen encrypts with --password-file"
[ "$(stat -c %a our.sec)" = 600 ] && ok "secret key is 0600" || fail "secret key mode"
line=$(sed -n 2p our.sec | base64 -d | head -c 4)
[ "$line" = EdSc ] && ok "the key's kdf is scrypt (\"Sc\")" || fail "kdf tag: $line"
run bash -c "printf 's3cret pass\n' | '$MINISIGN' -S -s our.sec -m file.txt"
expect_rc 0 "minisign -S signs with a keygen-made encrypted key"
run "$SH" verify file.txt -p our.pub; expect_rc 0 "skillhost verify accepts minisign's signature"
rm -f file.txt.minisig
run bash -c "printf 'not it\n' | '$MINISIGN' -S -s our.sec -m file.txt"
[ "$rc" -ne 0 ] && ok "minisign refuses the wrong password for our key (exit $rc)" || fail "minisign took a wrong password"
rm -f file.txt.minisig

# ---- minisign's encrypted key, skillhost signs with it ---------------------
run bash -c "printf 's3cret pass\ns3cret pass\n' | '$MINISIGN' -G -p ms.pub -s ms.key"
expect_rc 0 "minisign -G makes an encrypted key"
run "$SH" sign file.txt -s ms.key --password-file wrong; expect_rc 5 "a wrong password is refused"
expect_err "wrong password" "the error says the password is wrong"
[ -e file.txt.minisig ] && fail "a signature was written after a wrong password" || ok "no signature written"
run "$SH" sign file.txt -s ms.key; expect_rc 2 "no terminal and no password source"
expect_err "--password-fd" "the error names the ways to give it"
run env SKILLHOST_KEY_PASSWORD='s3cret pass' "$SH" sign file.txt -s ms.key; expect_rc 0 "sign with SKILLHOST_KEY_PASSWORD"
run "$MINISIGN" -Vm file.txt -p ms.pub; expect_rc 0 "minisign verifies skillhost's signature with its own key"
run "$SH" verify file.txt -p ms.pub; expect_rc 0 "skillhost verifies it too"

# ---- on a terminal: asked twice, without echo ------------------------------
PTY="python3 $HERE/pty_drive.py"
run $PTY "tty pass" "tty pass" -- "$SH" keygen -p tty.pub -s tty.sec; expect_rc 0 "keygen asks on the terminal"
expect_out "Password (again)" "and asks again to confirm"
case "$out" in *"tty pass"*) fail "the password was echoed: $out" ;; *) ok "the password is not echoed" ;; esac
run $PTY "one" "two" -- "$SH" keygen -p tty2.pub -s tty2.sec; expect_rc 2 "two different passwords"
expect_out "differ" "says they differ"
[ -e tty2.sec ] && fail "a key was written after a mismatch" || ok "nothing written"
run $PTY "tty pass" -- "$SH" sign file.txt -s tty.sec -o tty.minisig; expect_rc 0 "sign asks on the terminal"
case "$out" in *"tty pass"*) fail "sign echoed the password" ;; *) ok "sign does not echo it" ;; esac
run "$MINISIGN" -Vm file.txt -p tty.pub -x tty.minisig; expect_rc 0 "minisign verifies it"

# ---- options ----------------------------------------------------------------
run "$SH" keygen -W -p plain.pub -s plain.sec; expect_rc 0 "keygen -W"
head -1 plain.sec | grep -q unencrypted && ok "-W writes an unencrypted key" || fail "-W key comment"
run bash -c "'$MINISIGN' -S -s plain.sec -m file.txt -x plain.minisig </dev/null"
expect_rc 0 "minisign signs with a -W key without a password"
: > empty
run "$SH" keygen -p e.pub -s e.sec --password-file empty; expect_rc 2 "an empty password is refused"
expect_err "-W" "it points at -W"
run "$SH" keygen -p e.pub -s e.sec --password-fd 57; expect_rc 2 "a closed --password-fd"
run "$SH" keygen -p e.pub -s e.sec --password-fd x; expect_rc 2 "a non-numeric --password-fd"
run "$SH" keygen -W -p e.pub -s e.sec --password-file pw; expect_rc 2 "-W with a password is a contradiction"
[ -e e.sec ] && fail "a refused keygen wrote a key" || ok "refused keygens wrote nothing"
finish
