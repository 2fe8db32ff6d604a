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

# A package without a stamp (installed before stamps) gets one from the
# first load that hashes it all and finds it all as signed; the next load
# uses it, and any change after that is refused as above.
expect_restamped() { # expect_restamped WHAT: the call hashed, then stamped
  call; expect_rc 0 "$1: call"
  case "$err" in *"hashed 2 files"*) ok "$1: hashed" ;; *) fail "$1: not hashed" ;; esac
  expect_err "stamped 2 files of $dir at load" "$1: stamped at load"
  [ -f "$dir.stamp" ] && ok "$1: the stamp is back" || fail "$1: no stamp after the load"
}
no_temps() { # no_temps WHAT: no temporary stamp file is left beside the folders
  local left
  left=$(find "$SKILLHOST_HOME/skills" -name '*.stamp.*')
  [ -z "$left" ] && ok "$1: no temporary file left" || fail "$1: left $left"
}
fresh; rm -f "$dir.stamp"
expect_restamped "no stamp"
no_temps "stamped at load"
expect_stamped "after the stamp written at load"
grep -q "^file .* lib/$(ls "$dir/lib")/hello.so$" "$dir.stamp" && grep -q "^file .* manifest.json$" "$dir.stamp" \
  && ok "the stamp names both files" || fail "stamp: $(cat "$dir.stamp")"
flip "$so"
expect_refused "rewritten in place after a stamp written at load" hello.so
[ -f "$dir.stamp" ] && ok "a refused load leaves the stamp as it was" || fail "the refusal removed the stamp"
fresh; rm -f "$dir.stamp"; expect_restamped "no stamp (replace)"; make_evil
cp -p "$TMP/evil.so" "$so.new"; touch -r "$so" "$so.new"; mv -f "$so.new" "$so"
expect_refused "replaced by rename after a stamp written at load" hello.so
fresh; rm -f "$dir.stamp"; expect_restamped "no stamp (manifest)"; flip "$man"
call; expect_rc 3 "manifest rewritten after a stamp written at load: refused"
expect_err "manifest.json was changed after install" "the refusal names the manifest"
# A tampered package is never stamped: every load hashes it and refuses it.
fresh; rm -f "$dir.stamp"; flip "$so"
expect_refused "changed while it had no stamp" hello.so
[ ! -e "$dir.stamp" ] && ok "no stamp written for a package that does not match" || fail "a tampered package was stamped"
expect_refused "changed while it had no stamp, again" hello.so
no_temps "refused loads"
# chmod: the stamp cannot vouch (ctime moved), the load hashes, finds the
# bytes as signed, and stamps anew; so does a stamp for another manifest.
fresh; chmod 700 "$so"; sleep 0.05 # the stamp's margin: 20 ms of the clock
expect_restamped "chmod"
expect_stamped "after chmod and a stamp written at load"
fresh
sed -i "s/^manifest .*/manifest $(printf '0%.0s' $(seq 64))/" "$dir.stamp"
expect_restamped "stamp for another manifest"
expect_stamped "after a stamp for another manifest was replaced"
# SKILLHOST_STORE_VERIFY=full: stamps play no part, none is written.
fresh; rm -f "$dir.stamp"
run env SKILLHOST_STORE_VERIFY=full SKILLHOST_LOG_LEVEL=debug "$SH" call example/hello.greet '{"name":"s"}'
expect_rc 0 "SKILLHOST_STORE_VERIFY=full without a stamp"
[ ! -e "$dir.stamp" ] && ok "SKILLHOST_STORE_VERIFY=full writes no stamp" || fail "SKILLHOST_STORE_VERIFY=full stamped"

# Concurrent loads of a package without a stamp: each may stamp it; all
# answer, one sound stamp is left and no temporary file.
fresh; rm -f "$dir.stamp"
pids=()
for i in 1 2 3 4 5 6; do
  env SKILLHOST_LOG_LEVEL=debug "$SH" call example/hello.greet '{"name":"c"}' --compact \
    >"$TMP/c$i.out" 2>"$TMP/c$i.err" & pids+=($!)
done
for i in 1 2 3 4 5 6; do
  wait "${pids[$((i - 1))]}" && grep -q "Hello, c!" "$TMP/c$i.out" && ok "concurrent load $i answered" \
    || fail "concurrent load $i: $(cat "$TMP/c$i.err")"
done
[ -f "$dir.stamp" ] && ok "concurrent loads left a stamp" || fail "no stamp after concurrent loads"
no_temps "concurrent loads"
expect_stamped "after concurrent loads stamped"

# A read-only store still loads (hashing, as before stamps), and writes
# nothing. As root, permissions do not stop a write: mount it read-only.
fresh; rm -f "$dir.stamp"
if [ "$(id -u)" = 0 ]; then
  run unshare -m sh -c 'mount --bind -o ro "$1" "$1" && shift && exec "$@"' sh \
    "$SKILLHOST_HOME/skills" env SKILLHOST_LOG_LEVEL=debug "$SH" call example/hello.greet '{"name":"s"}' --compact
else
  chmod a-w "$(dirname "$dir")"
  call
  chmod u+w "$(dirname "$dir")"
fi
expect_rc 0 "read-only store: the load works"
expect_out "Hello, s!" "read-only store: it answers"
expect_err "hashed 2 files" "read-only store: it hashed"
expect_err "not stamping $dir" "read-only store: the skipped stamp is logged at debug level"
[ ! -e "$dir.stamp" ] && ok "read-only store: no stamp" || fail "read-only store: a stamp appeared"
no_temps "read-only store"
# ... and says nothing about it at the default log level.
if [ "$(id -u)" = 0 ]; then
  run unshare -m sh -c 'mount --bind -o ro "$1" "$1" && shift && exec "$@"' sh \
    "$SKILLHOST_HOME/skills" "$SH" call example/hello.greet '{"name":"s"}' --compact
else
  chmod a-w "$(dirname "$dir")"; run "$SH" call example/hello.greet '{"name":"s"}' --compact; chmod u+w "$(dirname "$dir")"
fi
expect_rc 0 "read-only store, default log level"
[ -z "$err" ] && ok "read-only store: nothing on stderr" || fail "read-only store: stderr: $err"

# A stamp lives and dies with its folder.
fresh
n=$(ls "$SKILLHOST_HOME"/skills/example/hello | grep -c '\.stamp$')
[ "$n" = 1 ] && ok "reinstall leaves one stamp" || fail "$n stamps after reinstall"
run "$SH" remove example/hello; expect_rc 0 "remove"
[ ! -e "$dir.stamp" ] && ok "remove takes the stamp" || fail "stamp left after remove"
finish
