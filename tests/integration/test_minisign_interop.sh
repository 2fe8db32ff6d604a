#!/usr/bin/env bash
# test_minisign_interop.sh - our signatures against the real minisign, both
# ways: minisign must accept what we write, and we must accept what minisign
# writes (and refuse what it writes in the legacy format).
#
# Drives host/lib/package/minisig.c through the bench_minisig driver modes until the
# `skillhost keygen/sign/verify` commands exist. Exits 77 (skip) when
# minisign or the driver is missing.
set -u
. "$(dirname "$0")/../skip.sh"

BUILD_DIR=${BUILD_DIR:?BUILD_DIR must point at the build directory}
DRIVER=${MINISIG_DRIVER:-$BUILD_DIR/tests/bench_minisig}
MINISIGN=${MINISIGN:-$(command -v minisign || true)}

if [ -z "$MINISIGN" ] || [ ! -x "$MINISIGN" ]; then
	skip "minisign is not installed (apt-get install minisign)"
fi
if [ ! -x "$DRIVER" ]; then
	skip "$DRIVER is not built (configure with -DSKILLHOST_BENCH=ON)"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/minisign_interop.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

failures=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }

# expect CODE DESCRIPTION CMD...: run CMD, compare its exit code, keep its
# output in $WORK/out for later checks, show it on failure.
expect() {
	local want=$1 desc=$2 got
	shift 2
	"$@" >"$WORK/out" 2>&1
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $got, expected $want)"
		sed 's/^/#   /' "$WORK/out"
	fi
}

# expect_output NEEDLE DESCRIPTION: the last command's output has NEEDLE.
expect_output() {
	if grep -qF -- "$1" "$WORK/out"; then
		ok "$2"
	else
		not_ok "$2 (no \"$1\" in output)"
		sed 's/^/#   /' "$WORK/out"
	fi
}

echo "# minisign: $("$MINISIGN" -v 2>&1)"
echo "# driver:   $DRIVER"

head -c 3000000 /dev/urandom >data.skill
printf 'hello\n' >small.txt
: >empty.txt

# ---- (1) our keys and signatures, verified by minisign ---------------------
expect 0 "our keygen" "$DRIVER" keygen our.pub our.key
PUBLINE=$(sed -n 2p our.pub)
expect 0 "our secret key file is mode 0600" \
	test "$(stat -c %a our.key)" = 600
expect 2 "our keygen refuses to overwrite without --force" \
	"$DRIVER" keygen our.pub our.key
expect 0 "our keygen --force overwrites" \
	"$DRIVER" keygen our.pub our.key --force
PUBLINE=$(sed -n 2p our.pub)

expect 0 "our sign" "$DRIVER" sign data.skill our.key
expect 0 "minisign -Vm FILE -P <our key line> accepts our signature" \
	"$MINISIGN" -Vm data.skill -P "$PUBLINE"
expect 0 "minisign -Vm FILE -p <our key file> accepts our signature" \
	"$MINISIGN" -Vm data.skill -p our.pub
expect 0 "minisign -H (prehashed required) accepts our signature" \
	"$MINISIGN" -H -Vm data.skill -p our.pub
expect 0 "our verify accepts our signature" \
	"$DRIVER" verify data.skill our.pub

expect 0 "our sign-package" \
	"$DRIVER" sign-package data.skill our.key acme/widgets 1.2.3 \
	-x data.pkg.minisig
expect 0 "minisign accepts our package signature" \
	"$MINISIGN" -Vm data.skill -x data.pkg.minisig -P "$PUBLINE"
expect_output "skillhost-package:1 name:acme/widgets version:1.2.3" \
	"minisign shows our package trusted comment"
expect 0 "our verify --package matches name, version and hash" \
	"$DRIVER" verify data.skill "$PUBLINE" -x data.pkg.minisig \
	--package acme/widgets 1.2.3
expect 3 "our verify --package refuses another version" \
	"$DRIVER" verify data.skill "$PUBLINE" -x data.pkg.minisig \
	--package acme/widgets 1.2.4

expect 0 "our sign of an empty file" "$DRIVER" sign empty.txt our.key
expect 0 "minisign accepts our signature of an empty file" \
	"$MINISIGN" -Vm empty.txt -P "$PUBLINE"

# minisign signs with our (unencrypted) secret key file; we verify.
expect 0 "minisign -S reads our secret key file" \
	"$MINISIGN" -S -s our.key -m small.txt -x small.by-ms.minisig \
	-t "signed by minisign with a skillhost key"
expect 0 "our verify accepts minisign's signature made with our key" \
	"$DRIVER" verify small.txt our.pub -x small.by-ms.minisig

# ---- (2) minisign's keys and signatures, verified by us --------------------
expect 0 "minisign -G -W (unencrypted key)" \
	"$MINISIGN" -G -W -p ms.pub -s ms.key
MSLINE=$(sed -n 2p ms.pub)
COMMENT=$("$DRIVER" package-comment data.skill acme/widgets 2.0.0-rc.1)
expect 0 "minisign -S -t <our package comment format>" \
	"$MINISIGN" -S -s ms.key -m data.skill -x data.ms.minisig -t "$COMMENT"
expect 0 "our verify accepts minisign's signature (key file)" \
	"$DRIVER" verify data.skill ms.pub -x data.ms.minisig
expect_output "Trusted comment: $COMMENT" "our verify shows minisign's trusted comment"
expect 0 "our verify accepts minisign's signature (bare key) and parses the package comment" \
	"$DRIVER" verify data.skill "$MSLINE" -x data.ms.minisig \
	--package acme/widgets 2.0.0-rc.1
expect_output "Package: acme/widgets 2.0.0-rc.1" "our verify reports the package"
expect 3 "our verify --package refuses another package name" \
	"$DRIVER" verify data.skill ms.pub -x data.ms.minisig \
	--package acme/gadgets 2.0.0-rc.1

expect 0 "minisign -S with its default trusted comment" \
	"$MINISIGN" -S -s ms.key -m small.txt
expect 0 "our verify accepts it" "$DRIVER" verify small.txt ms.pub
expect 5 "our verify --package refuses a comment that names no package" \
	"$DRIVER" verify small.txt ms.pub --package acme/widgets 1.0.0
expect_output "not a skillhost package comment" "and says why"

# Keys do not mix: minisign's signature against our key.
expect 3 "our verify refuses a signature by another key" \
	"$DRIVER" verify small.txt our.pub
expect_output "was made with key" "and names both key ids"

# Our secret key for their public key: minisign refuses too.
expect 1 "minisign refuses our signature against its key" \
	"$MINISIGN" -Vm data.skill -p ms.pub

# ---- (3) legacy signatures are refused -------------------------------------
expect 0 "minisign -S -l (legacy Ed)" \
	"$MINISIGN" -S -l -s ms.key -m small.txt -x small.legacy.minisig
expect 0 "minisign itself accepts the legacy signature" \
	"$MINISIGN" -Vm small.txt -x small.legacy.minisig -p ms.pub
expect 3 "our verify refuses the legacy signature" \
	"$DRIVER" verify small.txt ms.pub -x small.legacy.minisig
expect_output "legacy" "and explains the legacy refusal"

# ---- (4) tampering: both refuse ---------------------------------------------
cp data.skill tampered.skill
printf '\x01' | dd of=tampered.skill bs=1 seek=1234567 conv=notrunc 2>/dev/null
cp data.skill.minisig tampered.skill.minisig
cp data.ms.minisig tampered.ms.minisig
expect 1 "minisign refuses a tampered file (our signature)" \
	"$MINISIGN" -Vm tampered.skill -P "$PUBLINE"
expect 3 "our verify refuses a tampered file (our signature)" \
	"$DRIVER" verify tampered.skill our.pub
expect 1 "minisign refuses a tampered file (its signature)" \
	"$MINISIGN" -Vm tampered.skill -x tampered.ms.minisig -p ms.pub
expect 3 "our verify refuses a tampered file (its signature)" \
	"$DRIVER" verify tampered.skill ms.pub -x tampered.ms.minisig

# An edited trusted comment: the global signature fails in both.
sed '3s/version:2.0.0-rc.1/version:2.0.0/' data.ms.minisig >edited.minisig
expect 1 "minisign refuses an edited trusted comment" \
	"$MINISIGN" -Vm data.skill -x edited.minisig -p ms.pub
expect 3 "our verify refuses an edited trusted comment" \
	"$DRIVER" verify data.skill ms.pub -x edited.minisig

# A truncated signature: a hard failure, never a pass.
head -n 2 data.skill.minisig >truncated.minisig
expect 5 "our verify refuses a truncated signature" \
	"$DRIVER" verify data.skill our.pub -x truncated.minisig
expect_output "truncated" "and says it is truncated"

# ---- (5) a password-protected minisign key ---------------------------------
# minisign reads the password from stdin when it is not a terminal. scrypt
# with minisign's limits takes 1 GiB and a few seconds per derivation.
if printf 'secret pw\nsecret pw\n' | "$MINISIGN" -G -p enc.pub -s enc.key >/dev/null 2>&1; then
	ok "minisign -G with a password"
	expect 0 "our sign with minisign's encrypted key" \
		env SKILLHOST_KEY_PASSWORD='secret pw' \
		"$DRIVER" sign small.txt enc.key -x small.enc.minisig
	expect 0 "minisign accepts it" \
		"$MINISIGN" -Vm small.txt -x small.enc.minisig -p enc.pub
	expect 5 "our sign refuses a wrong password" \
		env SKILLHOST_KEY_PASSWORD='secret pX' \
		"$DRIVER" sign small.txt enc.key -x small.bad.minisig
	expect_output "wrong password" "and says so"
else
	not_ok "minisign -G with a password read from stdin"
fi

echo "1..$n"
if [ "$failures" -ne 0 ]; then
	echo "# $failures of $n checks failed"
	exit 1
fi
echo "# all $n checks passed"
exit 0
