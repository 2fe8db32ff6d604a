/*
 * cmd_completion.c - `skillhost completion bash|zsh|fish|commands`: shell
 * completion scripts made from the command table.
 *
 * The command names and summaries come from the table main.c runs
 * (cli_commands), so a new command completes without touching this file.
 * Options are not copied here: each script asks `skillhost CMD --help`
 * at completion time and offers the --long options it names, so what
 * completes is what --help documents. Only the second-level words of the
 * commands that take one (trust add, secret list, ...) are listed below.
 * `commands` prints "NAME<TAB>SUMMARY" lines for scripts (the man page
 * generator, scripts/gen-man.sh).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* The words that may follow a command, for those that take a verb. */
static const struct {
	const char *cmd, *words;
} verbs[] = {
        {"trust", "add list remove"},
        {"registry", "add list update trust remove"},
        {"secret", "set list remove"},
        {"profile", "set list show remove map unmap"},
        {"artifacts", "list prune"},
        {"completion", "bash zsh fish"},
        {"audit", "verify tail query"},
};

static const char global_opts[] =
        "--home --json --verbose --quiet --in-process --version --help";

static void help(void)
{
	puts("usage: skillhost completion bash|zsh|fish\n"
	     "\n"
	     "Print a completion script for the shell: commands, their\n"
	     "verbs and their --options (read from `skillhost CMD --help`\n"
	     "when completing). Load it with\n"
	     "  bash:  source <(skillhost completion bash)   (or save it as\n"
	     "         ~/.local/share/bash-completion/completions/skillhost)\n"
	     "  zsh:   skillhost completion zsh > \"${fpath[1]}/_skillhost\"\n"
	     "  fish:  skillhost completion fish > "
	     "~/.config/fish/completions/skillhost.fish\n"
	     "`cmake --install` installs all three.\n"
	     "\n"
	     "`skillhost completion commands` prints NAME<TAB>SUMMARY per\n"
	     "command, for scripts.");
}

static void names(const char *sep)
{
	const struct cli_command *c = cli_commands();

	for (int i = 0; c[i].name; i++)
		printf("%s%s", i ? sep : "", c[i].name);
	printf("%shelp", sep);
}

static void bash(void)
{
	puts("# bash completion for skillhost (`skillhost completion bash`)\n"
	     "_skillhost_opts() { # BIN CMD: the --options CMD --help names\n"
	     "  local v=\"_skillhost_opts_${2//-/_}\"\n"
	     "  if [ -z \"${!v+x}\" ]; then\n"
	     "    printf -v \"$v\" '%s' \"$(\"$1\" \"$2\" --help 2>/dev/null "
	     "| grep -o -- '--[a-z][a-z0-9-]*' | sort -u | tr '\\n' ' ')\"\n"
	     "  fi\n"
	     "  printf '%s' \"${!v}\"\n"
	     "}\n"
	     "_skillhost() {\n"
	     "  local cur=${COMP_WORDS[COMP_CWORD]} bin=${COMP_WORDS[0]} "
	     "cmd= i n=0\n"
	     "  COMPREPLY=()\n"
	     "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
	     "    case ${COMP_WORDS[i]} in\n"
	     "      --home) ((i++)) ;;\n"
	     "      -*) ;;\n"
	     "      *) if [ -z \"$cmd\" ]; then cmd=${COMP_WORDS[i]}; "
	     "else ((n++)); fi ;;\n"
	     "    esac\n"
	     "  done\n"
	     "  if [ -z \"$cmd\" ]; then");
	printf("    if [[ $cur == -* ]]; then\n"
	       "      COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n"
	       "    else\n"
	       "      COMPREPLY=($(compgen -W \"",
	       global_opts);
	names(" ");
	puts("\" -- \"$cur\"))\n"
	     "    fi\n"
	     "    return\n"
	     "  fi\n"
	     "  if [[ $cur == -* ]]; then\n"
	     "    COMPREPLY=($(compgen -W \"$(_skillhost_opts \"$bin\" "
	     "\"$cmd\")\" -- \"$cur\"))\n"
	     "    return\n"
	     "  fi\n"
	     "  if [ \"$n\" = 0 ]; then\n"
	     "    case $cmd in");
	for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
		printf("      %s) COMPREPLY=($(compgen -W \"%s\" -- "
		       "\"$cur\")); "
		       "return ;;\n",
		       verbs[i].cmd, verbs[i].words);
	printf("      help) COMPREPLY=($(compgen -W \"");
	names(" ");
	puts("\" -- \"$cur\")); return ;;\n"
	     "    esac\n"
	     "  fi\n"
	     "  COMPREPLY=($(compgen -f -- \"$cur\"))\n"
	     "}\n"
	     "complete -o filenames -F _skillhost skillhost");
}

/* s with ':' and '\'' escaped for a zsh _describe item in '...'. */
static void zsh_item(const char *name, const char *summary)
{
	printf("    '%s:", name);
	for (const char *p = summary; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else if (*p == ':')
			fputs("\\:", stdout);
		else
			putchar(*p);
	}
	puts("'");
}

static void zsh(void)
{
	const struct cli_command *c = cli_commands();

	puts("#compdef skillhost\n"
	     "# zsh completion for skillhost (`skillhost completion zsh`)\n"
	     "_skillhost() {\n"
	     "  local -a cmds opts\n"
	     "  cmds=(");
	for (int i = 0; c[i].name; i++)
		zsh_item(c[i].name, c[i].summary);
	zsh_item("help", "show the help, or a command's");
	puts("  )\n"
	     "  if (( CURRENT == 2 )); then\n"
	     "    _describe 'command' cmds\n"
	     "    return\n"
	     "  fi\n"
	     "  if [[ $PREFIX == -* ]]; then\n"
	     "    opts=(${(f)\"$(${words[1]} ${words[2]} --help 2>/dev/null "
	     "| grep -o -- '--[a-z][a-z0-9-]*' | sort -u)\"})\n"
	     "    compadd -a opts\n"
	     "    return\n"
	     "  fi\n"
	     "  if (( CURRENT == 3 )); then\n"
	     "    case ${words[2]} in");
	for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
		printf("      (%s) compadd %s; return ;;\n", verbs[i].cmd,
		       verbs[i].words);
	puts("      (help) _describe 'command' cmds; return ;;\n"
	     "    esac\n"
	     "  fi\n"
	     "  _files\n"
	     "}\n"
	     "compdef _skillhost skillhost");
}

static void fish_quoted(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('\'');
}

static void fish(void)
{
	const struct cli_command *c = cli_commands();

	puts("# fish completion for skillhost (`skillhost completion fish`)\n"
	     "complete -c skillhost -f");
	for (int i = 0; c[i].name; i++) {
		printf("complete -c skillhost -n __fish_use_subcommand -a %s "
		       "-d ",
		       c[i].name);
		fish_quoted(c[i].summary);
		putchar('\n');
	}
	puts("complete -c skillhost -n __fish_use_subcommand -a help -d "
	     "'show the help, or a command'\\''s'");
	for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
		printf("complete -c skillhost -n '__fish_seen_subcommand_from "
		       "%s' -a '%s'\n",
		       verbs[i].cmd, verbs[i].words);
	/* Options come from the command's own --help, when completing. */
	puts("function __skillhost_opts\n"
	     "  set -l cmd (commandline -opc)\n"
	     "  test (count $cmd) -ge 2; or return\n"
	     "  $cmd[1] $cmd[2] --help 2>/dev/null | string match -ar -- "
	     "'--[a-z][a-z0-9-]*' | sort -u\n"
	     "end\n"
	     "complete -c skillhost -n 'not __fish_use_subcommand; and "
	     "string match -q -- \"-*\" (commandline -ct)' -a "
	     "'(__skillhost_opts)'\n"
	     "complete -c skillhost -n 'not __fish_use_subcommand' -F");
}

int cmd_completion(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
	if (argc != 2)
		return cli_usage("completion",
		                 "which shell? bash, zsh or fish");
	if (!strcmp(argv[1], "bash"))
		bash();
	else if (!strcmp(argv[1], "zsh"))
		zsh();
	else if (!strcmp(argv[1], "fish"))
		fish();
	else if (!strcmp(argv[1], "commands")) {
		const struct cli_command *c = cli_commands();
		for (int i = 0; c[i].name; i++)
			printf("%s\t%s\n", c[i].name, c[i].summary);
	} else
		return cli_usage("completion",
		                 "'%s' is not a shell this knows: bash, zsh or "
		                 "fish",
		                 argv[1]);
	return fflush(stdout) == 0 ? 0 : 5;
}
