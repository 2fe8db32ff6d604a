#!/bin/sh
# gen-man.sh SKILLHOST SKILLREG|- OUTDIR VERSION
#
# Man pages and completion scripts from the built binaries, run by the
# build (cmake/docs.cmake): skillhost(1) is `skillhost --help`, each
# skillhost-CMD(1) is `skillhost CMD --help` for every command of the
# table (`skillhost completion commands`), skillreg(1) is `skillreg
# --help`. Nothing is written by hand, so a page cannot drift from the
# help it copies; a command whose --help fails fails the build.
set -eu
bin=$1 reg=$2 out=$3 version=$4
man=$out/man1
mkdir -p "$man" "$out/completion"
# --help must not need a store; give it an empty one all the same.
SKILLHOST_HOME=$out/home
export SKILLHOST_HOME

# roff-escape stdin: backslashes, a leading '.' or "'", and '-' (so that
# options are typed as printed).
esc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

page() { # page NAME SUMMARY HELPFILE SEEALSO
	title=$(printf %s "$1" | tr a-z A-Z)
	{
		printf '.TH %s 1 "" "skillhost %s" "skillhost manual"\n' "$title" "$version"
		printf '.SH NAME\n%s \\- %s\n' "$(printf %s "$1" | esc)" "$(printf %s "$2" | esc)"
		printf '.SH DESCRIPTION\n.nf\n'
		esc <"$3"
		printf '.fi\n.SH SEE ALSO\n%s\n' "$4"
	} >"$man/$1.1.tmp"
	mv "$man/$1.1.tmp" "$man/$1.1"
}

"$bin" --help >"$out/help.txt"
see="\\fBskillhost\\fR(1)"
"$bin" completion commands >"$out/commands.txt"
all=""
while IFS="	" read -r name summary; do
	"$bin" "$name" --help >"$out/help-$name.txt"
	page "skillhost-$name" "$summary" "$out/help-$name.txt" "$see"
	all="$all\\fBskillhost\\-$name\\fR(1),
"
done <"$out/commands.txt"
if [ "$reg" != - ]; then
	"$reg" --help >"$out/help-skillreg.txt"
	page skillreg "make, fill, sign and serve a skill registry" "$out/help-skillreg.txt" "$see"
	all="$all\\fBskillreg\\fR(1),
"
fi
page skillhost "install, verify and run AI-agent skills" "$out/help.txt" "$(printf %s "$all" | sed '$ s/,$//')"
for sh in bash zsh fish; do
	"$bin" completion $sh >"$out/completion/$sh.tmp"
	mv "$out/completion/$sh.tmp" "$out/completion/$sh"
done
rm -rf "$out/home"
touch "$out/stamp"
