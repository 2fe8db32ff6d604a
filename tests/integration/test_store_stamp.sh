#!/usr/bin/env bash
# The install stamp (host/lib/store/stamp.h): a load hashes nothing of a
# package unchanged since install, and any change to its files, however
# it is made (same size and mtime, a rename over it, a hard link, chmod,
# an extra file, right after the install), makes the next load hash it and
# refuse it exactly as a load without stamps would. Which path a load took
# is read from the debug log: "hashed 0 bytes" (stamp) or "hashed N files".
. "$(dirname "$0")/lib.sh"
PKG=$SKILLS_OUT/packages
HELLO=$PKG/example-hello-1.0.0.skill
"$SH" trust add "$SKILLS_OUT/dev.pub" --namespace example >/dev/null || fail "trust add"

# fresh: install hello anew (a new folder and stamp); sets dir, so, man.
fresh() {
  run "$SH" install --force "$HELLO"
  [ "$rc" -eq 0 ] || { fail "install: $err"; return 1; }
  dir=$(echo "$SKILLHOST_HOME"/skills/example/hello/*/)
  dir=${dir%/}
  so=$dir/lib/$(ls "$dir/lib")/hello.so
  man=$dir/manifest.json
}
call() { run env SKILLHOST_LOG_LEVEL=debug "$SH" call example/hello.greet '{"name":"s"}' --compact; }
expect_stamped() { # expect_stamped WHAT: the call ran and hashed nothing
  call; expect_rc 0 "$1: call"
  expect_err "unchanged since they were hashed (stamp); hashed 0 bytes" "$1: not hashed"
  case "$err" in *"hashed 2 files"*) fail "$1: hashed anyway" ;; esac
}
expect_hashed_ok() { # expect_hashed_ok WHAT: the call hashed and ran
  call; expect_rc 0 "$1: call"
  case "$err" in *"hashed 2 files"*) ok "$1: hashed" ;; *) fail "$1: not hashed"; echo "  stderr: $err" ;; esac
}
expect_refused() { # expect_refused WHAT FILE: refused naming FILE, as without stamps
  call; expect_rc 3 "$1: refused"
  expect_err "$2 was changed after install" "$1: the refusal names $2"
  case "$out" in *"Hello"*) fail "$1: the tampered code ran" ;; esac
}
# flip FILE: change one byte in place, keeping size and mtime (ns).
flip() {
  touch -r "$1" "$TMP/times"
  printf 'X' | dd of="$1" bs=1 seek=$(( $(stat -c %s "$1") / 2 )) conv=notrunc 2>/dev/null
  touch -r "$TMP/times" "$1"
}
# evil: a same-size copy of the installed library with one byte changed.
make_evil() { cp "$so" "$TMP/evil.so"; chmod u+w "$TMP/evil.so"; flip "$TMP/evil.so"; }

# An untouched package: the stamp vouches for it, call after call.
fresh
ls "$dir.stamp" >/dev/null 2>&1 && ok "install writes a stamp beside the folder" || fail "no stamp"
expect_stamped "untouched"
expect_stamped "untouched, again"
# The stamp records the file system's clock after the files' last change
# by more than the margin: the install waited it out if it had to.
clock=$(awk '$1=="clock"{printf "%d%09d", $2, $3}' "$dir.stamp")
newest=$(stat -c '%.9Z' "$so" "$man" | tr -d . | sort -n | tail -1)
[ $((clock - newest)) -gt 20000000 ] && ok "stamp taken > 20 ms (the margin) after the files' ctime" \
  || fail "stamp too close to the files' ctime ($clock vs $newest)"

# Same size, same mtime (restored to the nanosecond), new bytes.
fresh
before=$(stat -c '%s %.9Y %i' "$so")
flip "$so"
[ "$(stat -c '%s %.9Y %i' "$so")" = "$before" ] && ok "size, mtime and inode kept" || fail "flip changed more than the bytes"
expect_refused "rewrite in place, mtime set back" hello.so

# Right after the install (inside any timestamp tick of it): still refused.
fresh && flip "$so"
expect_refused "changed right after install" hello.so

# Truncated and written again, mtime set back.
fresh; make_evil
touch -r "$so" "$TMP/times"; : >"$so"; cat "$TMP/evil.so" >"$so"; touch -r "$TMP/times" "$so"
expect_refused "truncate and rewrite" hello.so

# Replaced by a rename of another file over it.
fresh; make_evil
cp -p "$TMP/evil.so" "$so.new"; touch -r "$so" "$so.new"; mv -f "$so.new" "$so"
expect_refused "replaced by rename" hello.so

# Hard links: the path made a link to another file, or the installed file
# changed through a link to it from elsewhere.
fresh; make_evil
touch -r "$so" "$TMP/evil.so"; ln -f "$TMP/evil.so" "$so"
expect_refused "hard link swapped in" hello.so
fresh
ln "$so" "$TMP/alias.so"; flip "$TMP/alias.so"; rm -f "$TMP/alias.so"
expect_refused "changed through a hard link" hello.so

# chmod alone changes no byte: the load hashes and runs, as before.
fresh
chmod 700 "$so"
expect_hashed_ok "chmod"

# The manifest itself, and a file the manifest does not list.
fresh
flip "$man"
call; expect_rc 3 "manifest rewritten in place: refused"; expect_err "manifest.json was changed after install" "the refusal names the manifest"
fresh
echo extra >"$dir/lib/extra.txt"
call; expect_rc 3 "extra file: refused"; expect_err "files or links its signed manifest does not list" "the refusal says why"
fresh
mkdir "$dir/more"; echo x >"$dir/more/x"
call; expect_rc 3 "extra folder: refused"; expect_err "does not list" "extra folder: the refusal says why"

# A stamp that cannot vouch: taken too close to a file's change (the racy
# case), missing, or for another manifest. Each load then hashes, and runs.
fresh
c=$(stat -c '%Z %.9Z' "$so" | awk '{split($2, a, "."); print $1, a[2]}')
sed -i "s/^clock .*/clock $c/" "$dir.stamp"
expect_hashed_ok "racy stamp"
expect_err "changed too close to when its stamp was taken" "racy stamp: the reason is logged"
fresh
sed -i "s/^manifest .*/manifest $(printf '0%.0s' $(seq 64))/" "$dir.stamp"
expect_hashed_ok "stamp for another manifest"
fresh
rm -f "$dir.stamp"
expect_hashed_ok "no stamp"
fresh
run env SKILLHOST_STORE_VERIFY=full SKILLHOST_LOG_LEVEL=debug "$SH" call example/hello.greet '{"name":"s"}'
expect_rc 0 "SKILLHOST_STORE_VERIFY=full: call"; expect_err "hashed 2 files" "SKILLHOST_STORE_VERIFY=full hashes"

# A stamp lives and dies with its folder.
fresh
n=$(ls "$SKILLHOST_HOME"/skills/example/hello | grep -c '\.stamp$')
[ "$n" = 1 ] && ok "reinstall leaves one stamp" || fail "$n stamps after reinstall"
run "$SH" remove example/hello; expect_rc 0 "remove"
[ ! -e "$dir.stamp" ] && ok "remove takes the stamp" || fail "stamp left after remove"
finish
