#!/usr/bin/env bash
# The sandbox property battery: a signed, installed hostile skill
# (testing/escape, one tool per way out) and a package whose ELF
# constructor attacks the install-time probe (testing/ctorattack), run
# three ways:
#   normal     every layer the kernel offers;
#   landlock2  Landlock at most ABI 2, as on Debian 12's 6.1 kernel;
#   weak       no Landlock and no namespaces (so no minimal root and no PID
#              namespace): seccomp and rlimits alone.
# Every property is checked on the host side where it can be (canary files'
# mode, size, times, owner and content; a throw-away process's limits and
# life), and prints `ok - ...` or `FAIL - ...`. In the weak mode, what only
# the missing layers give must be reported as weaker by `skillhost doctor`
# (asserted), and everything seccomp alone guarantees is still asserted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
PKG=$SKILLS_OUT/packages

pok() { echo "ok - $*"; }
pfail() { echo "FAIL - $*"; failures=$((failures + 1)); }
# prop NAME: ok when the last call's result says the attack was refused.
refused() {
  case "$out" in
    *'"text":"refused: '*) pok "$1" ;;
    *) pfail "$1: $out $err" ;;
  esac
}
# Mode, size, times, owner and content of files, to compare.
snapshot() { for f in "$@"; do stat -c '%n %a %s %y %z %u:%g' "$f"; sha256sum < "$f"; done; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
call() { run "$SH" call "testing/escape.$1" "${2:-{\}}" --compact; }

# The doctor, as the workers of this mode will run.
doctor_says() { # doctor_says PHRASE what
  case "$doctor" in *"$1"*) pok "$2" ;; *) pfail "$2: doctor lacks '$1': $doctor" ;; esac
}

battery() {
  local mode=$1 c before after t0 took victim limits check
  echo "# --- mode: $mode ---"
  export SKILLHOST_HOME=$TMP/home-$mode
  mkdir -p "$SKILLHOST_HOME"
  # Canaries owned by the test: a fake secrets file, the host's own
  # secrets and trust files, a root-owned program to try setuid on.
  c=$TMP/canary-$mode
  mkdir -p "$c"
  printf '{"format":1,"skills":{"x/y":{"K":"canary-secret"}}}' > "$c/secrets.json"
  chmod 600 "$c/secrets.json"
  cp "$SKILLHOST_HOME/../canary-bin" "$c/rootbin"; chmod 755 "$c/rootbin"
  printf '{"format":1,"skills":{}}' > "$SKILLHOST_HOME/secrets.json"
  chmod 600 "$SKILLHOST_HOME/secrets.json"
  "$SH" trust add "$SKILLS_OUT/dev.pub" --namespace testing >/dev/null 2>&1
  chmod 600 "$SKILLHOST_HOME/trust.json"
  touch -d '2020-01-02 03:04:05' "$c/secrets.json" "$c/rootbin"
  modes() { stat -c '%n %a %u:%g' "$SKILLHOST_HOME/secrets.json" "$SKILLHOST_HOME/trust.json"; }
  before=$(modes)

  doctor=$("$SH" doctor 2>&1)
  case $mode in
    normal) if [ "$SANITIZED" = 1 ]; then
              # No PID namespace: a forked child would lose ASan's RSS
              # limit thread (the memory cap there).
              doctor_says "Isolation: partial: seccomp and rlimits, minimal root, Landlock ABI" "doctor (ASan): minimal root and Landlock"
              doctor_says "no PID namespace" "doctor (ASan): says there is no PID namespace"
            else
              doctor_says "Isolation: full" "doctor: full isolation"
            fi ;;
    landlock2) doctor_says "Landlock ABI 2" "doctor: Landlock ABI 2 in use"
               doctor_says "minimal root" "doctor: minimal root in use" ;;
    weak) doctor_says "Isolation: partial" "doctor: partial isolation"
          doctor_says "host paths can be stat'ed" "doctor: host paths can be stat'ed"
          doctor_says "read and write every file this user can" "doctor: files not confined"
          doctor_says "other processes are visible" "doctor: no PID namespace"
          doctor_says "TEST SWITCHES" "doctor: names the test switches" ;;
  esac

  # The seccomp filter every worker loads is the one compiled into it at
  # build time, patched with its pid, and equal to what libseccomp builds
  # from the rules now (in this mode's variant: O_TRUNC guard or not).
  check=$("$(dirname "$SH")/skillhost-worker" --sandbox-check --scratch "$TMP")
  case "$check" in
    *'"seccomp_prebuilt":true,"seccomp_prebuilt_matches":true'*)
      pok "worker: prebuilt seccomp filter loaded and current" ;;
    *) pfail "worker: prebuilt seccomp filter: $check" ;;
  esac

  # The install-time probe against an attacking constructor.
  exec 7>"$c/fd7"
  run "$SH" install "$PKG/testing-ctorattack-1.0.0.skill"
  exec 7>&-
  [ "$rc" = 0 ] && pok "ctor: install survives a constructor's kill(0), prlimit, chmod, fd probe" \
    || pfail "ctor: install exit $rc: $err"
  run "$SH" list
  case "$out" in *testing/ctorattack*) pok "ctor: the installer and its store are fine" ;; *) pfail "ctor: list: $out $err" ;; esac
  [ "$(modes)" = "$before" ] && pok "ctor: secrets.json and trust.json still 0600" || pfail "ctor: modes now $(modes)"

  install_for_test "$PKG/testing-escape-1.0.0.skill" || return
  before=$(snapshot "$c/secrets.json" "$c/rootbin" "$SKILLHOST_HOME/secrets.json" "$SKILLHOST_HOME/trust.json")
  "$SH" config testing/escape memory 1G >/dev/null
  "$SH" config testing/escape timeout 5000 >/dev/null

  # Processes: the parent, a throw-away process, the group, everyone.
  sleep 300 & victim=$!; MCP_PIDS+=("$victim")
  limits=$(cat "/proc/$victim/limits")
  call prlimit '{"pid":0}'; refused "prlimit on the parent refused"
  call prlimit "{\"pid\":$victim}"; refused "prlimit on another process refused"
  [ "$(cat "/proc/$victim/limits")" = "$limits" ] && pok "the other process's limits are unchanged" \
    || pfail "the other process's limits changed"
  call self_limits
  case "$out" in *'ALLOWED: getrlimit, setrlimit, prlimit(0)'*) pok "getrlimit/setrlimit on itself still work" ;;
    *) pfail "limits on itself: $out $err" ;; esac
  call kill '{"pid":0,"sig":0}'; refused "kill(0) refused"
  call kill '{"pid":-1,"sig":0}'; refused "kill(-1) refused"
  call kill '{"pid":-2,"sig":0}'; refused "kill(ppid) refused"
  call kill "{\"pid\":$victim,\"sig\":15}"; refused "kill(another pid, SIGTERM) refused"
  kill -0 "$victim" 2>/dev/null && pok "the other process lives" || pfail "the other process was killed"
  kill "$victim" 2>/dev/null; wait "$victim" 2>/dev/null

  # Files the worker can name (or not): metadata and truncation.
  call chmod "{\"path\":\"$c/secrets.json\",\"mode\":438}"; refused "chmod 0666 of a secrets file refused"
  call chmod "{\"path\":\"$SKILLHOST_HOME/trust.json\",\"mode\":438}"; refused "chmod of trust.json refused"
  call chmod "{\"path\":\"$c/rootbin\",\"mode\":2541}"; refused "setuid on a root-owned program refused"
  call chown "{\"path\":\"$c/secrets.json\"}"; refused "chown refused"
  call utime "{\"path\":\"$c/secrets.json\"}"; refused "utimensat/utimes/futimesat refused"
  call truncate "{\"path\":\"$c/secrets.json\"}"; refused "truncate() of a host file refused"
  call open_trunc "{\"path\":\"$c/secrets.json\"}"; refused "open(O_TRUNC) of a host file refused"
  call open_trunc "{\"path\":\"$SKILLHOST_HOME/secrets.json\"}"; refused "open(O_TRUNC) of the host's secrets refused"
  after=$(snapshot "$c/secrets.json" "$c/rootbin" "$SKILLHOST_HOME/secrets.json" "$SKILLHOST_HOME/trust.json")
  [ "$before" = "$after" ] && pok "canaries unchanged (mode, size, mtime, ctime, owner, content)" \
    || pfail "a canary changed: $(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"

  # What can be named and read.
  # (The folders above the skill's bundle exist in a minimal root, empty:
  # the bundle keeps its absolute path.)
  for p in "$SKILLHOST_HOME/secrets.json" "$SKILLHOST_HOME/trust.json" "$c/secrets.json" /etc/passwd /root; do
    call stat "{\"path\":\"$p\"}"
    if [ "$mode" = weak ]; then
      # Not promised here (the doctor said so above); still never fatal.
      [ "$rc" = 0 ] && pok "stat of $p answers without harm (weaker, reported)" || pfail "stat $p: $out $err"
    else
      refused "stat/readlink/access of $p refused"
    fi
  done
  other=$(find "$SKILLHOST_HOME" -name 'testing-ctorattack.so' | head -1)
  call read "{\"path\":\"$other\"}"
  [ "$mode" = weak ] || refused "reading another skill's files refused"
  call read "{\"path\":\"$c/secrets.json\"}"
  [ "$mode" = weak ] || refused "reading a secrets file refused"
  call write "{\"path\":\"$c/planted\"}"
  if [ "$mode" != weak ]; then
    refused "writing outside the scratch folder refused"
    [ ! -e "$c/planted" ] && pok "nothing was planted" || pfail "a file was planted"
  fi
  call proc
  [ "$mode" = weak ] || refused "no other process visible in /proc"
  call scratch
  case "$mode:$out" in
    weak:*'worked: create, read back, ftruncate, unlink | refused: O_TRUNC'*) pok "scratch works; O_TRUNC refused (no Landlock ABI 3, no minimal root)" ;;
    weak:*) pfail "scratch in weak mode: $out $err" ;;
    *:*'worked: create, read back, O_TRUNC, ftruncate, unlink | refused: nothing'*) pok "the scratch folder works in full" ;;
    *) pfail "scratch: $out $err" ;;
  esac

  # Network, processes, programs, other ABIs.
  call socket '{"port":9}'; refused "sockets refused"
  for t in fork:clone exec:execve; do
    call "${t%%:*}"
    case "$out" in *"may not make (${t#*:})"*) pok "${t%%:*} stops the worker as a violation" ;; *) pfail "${t%%:*}: $out $err" ;; esac
  done
  for t in x32 int80; do
    t0=$(ms); call "$t"; took=$(( $(ms) - t0 ))
    case "$out" in
      *"may not make ("*"system call"*) pok "$t syscall stops the whole worker as a violation" ;;
      *crashed*) pok "$t syscall crashes the worker (no such ABI in this kernel)" ;;
      *) pfail "$t: $out $err" ;;
    esac
    [ "$took" -lt 2500 ] && pok "$t reported in ${took} ms, not at the 5 s deadline" || pfail "$t took ${took} ms"
  done

  # Threads: a flood fails inside the skill; the host stays fine.
  if case "$doctor" in *"pids cgroup       yes"*) true ;; *) false ;; esac; then
    call threads '{"n":3000}'
    n=$(sed -n 's/.*started \([0-9]*\) of 3000.*/\1/p' <<<"$out")
    [ -n "$n" ] && [ "$n" -le 64 ] && [ "$n" -ge 1 ] && pok "a 3000-thread flood stops at $n (cap 64) with EAGAIN" \
      || pfail "thread flood: $out $err"
    case "$out" in *"Resource temporarily unavailable"*) pok "pthread_create says EAGAIN" ;; *) pfail "no EAGAIN: $out" ;; esac
    "$SH" config testing/escape threads 8 >/dev/null
    call threads '{"n":100}'
    n=$(sed -n 's/.*started \([0-9]*\) of 100.*/\1/p' <<<"$out")
    [ -n "$n" ] && [ "$n" -le 8 ] && pok "config threads 8 caps at $n" || pfail "threads 8: $out $err"
    "$SH" config testing/escape threads --unset >/dev/null
  else
    doctor_says "no pids cgroup" "doctor: no thread cap reported"
  fi
  call self_limits; [ "$rc" = 0 ] && pok "the skill still works after every attack" || pfail "last call: $out $err"

  # Killing the pid the host started (at the deadline) kills everything in
  # the worker's namespace: nothing of this home's workers is left.
  install_for_test "$PKG/testing-hostile-1.0.0.skill" || return
  "$SH" config testing/hostile timeout 300 >/dev/null
  run "$SH" call testing/hostile.spin '{}' --compact
  case "$out" in *"deadline passed"*) pok "a spinning skill is stopped at its deadline" ;; *) pfail "spin: $out $err" ;; esac
  sleep 0.3
  left=$(pgrep -f "skillhost-worker --serve $SKILLHOST_HOME" | tr '\n' ' ')
  [ -z "$left" ] && pok "no worker process outlives its kill" || pfail "left running: $left"
}

# The setuid target: a copy of a program, owned by root when we are.
cp /bin/true "$TMP/canary-bin"
battery normal
export SKILLHOST_SANDBOX_TEST_LANDLOCK_ABI=2
battery landlock2
export SKILLHOST_SANDBOX_TEST_LANDLOCK_ABI=0 SKILLHOST_SANDBOX_TEST_NO_NAMESPACES=1
battery weak
unset SKILLHOST_SANDBOX_TEST_LANDLOCK_ABI SKILLHOST_SANDBOX_TEST_NO_NAMESPACES
finish
