/*
 * testing/escape - one tool per way a hostile skill may try to get out of
 * its sandbox (tests/integration/test_sandbox_props.sh calls each and
 * checks the host side). Never install it anywhere but a test's home.
 *
 * Every tool that can report returns text starting with "ALLOWED:" when
 * the attack worked and "refused:" (with the errno text) when every try
 * failed; the test never takes a tool's word for what it did to a file,
 * it checks the file. x32, int80, fork and exec end the worker.
 * Tools that could do real harm if the sandbox were broken aim at what the
 * test names (a canary file, a throw-away process) or use signal 0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <skill/skill.h>

#define TS         .struct_size = sizeof(skill_tool_t)
#define OBJ(props) "{\"type\":\"object\",\"properties\":{" props "}}"
#define PATH_ARG   "\"path\":{\"type\":\"string\"}"

enum {
	T_PRLIMIT,
	T_KILL,
	T_CHMOD,
	T_CHOWN,
	T_UTIME,
	T_TRUNCATE,
	T_OPEN_TRUNC,
	T_STAT,
	T_PROC,
	T_SOCKET,
	T_THREADS,
	T_X32,
	T_INT80,
	T_FORK,
	T_EXEC,
	T_WRITE,
	T_READ,
	T_SELF_LIMITS,
	T_SCRATCH,
	T_COUNT
};

static const skill_tool_t tools_[T_COUNT] = {
        [T_PRLIMIT] = {TS, .name = "prlimit",
                       .description = "prlimit64(pid, RLIMIT_NOFILE, 8); pid "
                                      "0 means the parent.",
                       .input_schema = OBJ("\"pid\":{\"type\":\"integer\"}")},
        [T_KILL] = {TS, .name = "kill",
                    .description = "kill(pid, sig); pid -2 means the parent.",
                    .input_schema = OBJ("\"pid\":{\"type\":\"integer\"},"
                                        "\"sig\":{\"type\":\"integer\"}")},
        [T_CHMOD] = {TS, .name = "chmod",
                     .description = "chmod, fchmodat and fchmod of path to "
                                    "mode.",
                     .input_schema =
                             OBJ(PATH_ARG ",\"mode\":{\"type\":\"integer\"}")},
        [T_CHOWN] = {TS, .name = "chown",
                     .description = "chown, lchown and fchownat of path to "
                                    "65534.",
                     .input_schema = OBJ(PATH_ARG)},
        [T_UTIME] = {TS, .name = "utime",
                     .description = "utimensat, utimes and futimesat of path "
                                    "to the epoch.",
                     .input_schema = OBJ(PATH_ARG)},
        [T_TRUNCATE] = {TS, .name = "truncate",
                        .description = "truncate(path, 0).",
                        .input_schema = OBJ(PATH_ARG)},
        [T_OPEN_TRUNC] = {TS, .name = "open_trunc",
                          .description = "open(path, O_WRONLY|O_TRUNC).",
                          .input_schema = OBJ(PATH_ARG)},
        [T_STAT] = {TS, .name = "stat",
                    .description = "stat, lstat, readlink and access of "
                                   "path.",
                    .input_schema = OBJ(PATH_ARG)},
        [T_PROC] = {TS, .name = "proc",
                    .description = "List the processes /proc shows.",
                    .input_schema = OBJ("")},
        [T_SOCKET] = {TS, .name = "socket",
                      .description = "TCP connect to 127.0.0.1:port and a "
                                     "UNIX socket.",
                      .input_schema = OBJ("\"port\":{\"type\":\"integer\"}")},
        [T_THREADS] = {TS, .name = "threads",
                       .description = "Start n threads at once; say how "
                                      "many started.",
                       .input_schema = OBJ("\"n\":{\"type\":\"integer\"}")},
        [T_X32] = {TS, .name = "x32",
                   .description = "getpid through the x32 ABI.",
                   .input_schema = OBJ("")},
        [T_INT80] = {TS, .name = "int80",
                     .description = "getpid through int 0x80 (i386 ABI).",
                     .input_schema = OBJ("")},
        [T_FORK] = {TS, .name = "fork", .description = "fork().",
                    .input_schema = OBJ("")},
        [T_EXEC] = {TS, .name = "exec", .description = "execve(/bin/true).",
                    .input_schema = OBJ("")},
        [T_WRITE] = {TS, .name = "write",
                     .description = "Create path and write to it.",
                     .input_schema = OBJ(PATH_ARG)},
        [T_READ] = {TS, .name = "read",
                    .description = "Read path (says only how many bytes).",
                    .input_schema = OBJ(PATH_ARG)},
        [T_SELF_LIMITS] = {TS, .name = "self_limits",
                           .description = "getrlimit and setrlimit on "
                                          "itself (must work).",
                           .input_schema = OBJ("")},
        [T_SCRATCH] = {TS, .name = "scratch",
                       .description = "Write, rewrite and read a file in "
                                      "$TMPDIR.",
                       .input_schema = OBJ("")},
};

static const skill_tool_t *const tool_ptrs[T_COUNT] = {
        &tools_[0],  &tools_[1],  &tools_[2],  &tools_[3],  &tools_[4],
        &tools_[5],  &tools_[6],  &tools_[7],  &tools_[8],  &tools_[9],
        &tools_[10], &tools_[11], &tools_[12], &tools_[13], &tools_[14],
        &tools_[15], &tools_[16], &tools_[17], &tools_[18]};
_Static_assert(T_COUNT == 19, "list every tool in tool_ptrs");

/* Attempts of one tool: what worked and the last refusal. */
struct tally {
	char allowed[512];
	char refused[512];
};

static void try_(struct tally *t, const char *what, int rc)
{
	char *buf = rc == 0 ? t->allowed : t->refused;
	size_t used = strlen(buf);

	if (rc == 0)
		snprintf(buf + used, sizeof t->allowed - used, "%s%s",
		         used ? ", " : "", what);
	else
		snprintf(buf + used, sizeof t->refused - used, "%s%s: %s",
		         used ? "; " : "", what, strerror(errno));
}

static skill_status report(const skill_host_t *h, skill_call_t *c,
                           const struct tally *t)
{
	char msg[1100];

	if (t->allowed[0])
		snprintf(msg, sizeof msg, "ALLOWED: %s", t->allowed);
	else
		snprintf(msg, sizeof msg, "refused: %s", t->refused);
	return h->result_text(c, msg, SKILL_NUL_TERMINATED);
}

static long num(const skill_host_t *h, skill_call_t *c, const char *path,
                long def)
{
	double v;
	return h->arg_number(c, path, &v) ? (long)v : def;
}

static skill_status do_stat(const skill_host_t *h, skill_call_t *c,
                            const char *path)
{
	struct tally t = {{0}, {0}};
	struct stat st;
	char link[PATH_MAX];

	try_(&t, "stat", stat(path, &st));
	try_(&t, "lstat", lstat(path, &st));
	try_(&t, "readlink", readlink(path, link, sizeof link) >= 0 ? 0 : -1);
	if (errno == EINVAL) /* not a link, but it is there */
		try_(&t, "readlink (exists)", 0);
	try_(&t, "access", access(path, F_OK));
	return report(h, c, &t);
}

static skill_status do_proc(const skill_host_t *h, skill_call_t *c)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char msg[600] = "", *end;
	size_t used = 0;
	int others = 0;
	long self = getpid();

	if (!d) {
		snprintf(msg, sizeof msg, "refused: /proc: %s",
		         strerror(errno));
		return h->result_text(c, msg, SKILL_NUL_TERMINATED);
	}
	while ((de = readdir(d))) {
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		others++;
		if (used < 400)
			used += (size_t)snprintf(msg + used, sizeof msg - used,
			                         " %ld", pid);
	}
	closedir(d);
	if (others) {
		char out[700];
		snprintf(out, sizeof out, "ALLOWED: %d other processes:%s",
		         others, msg);
		return h->result_text(c, out, SKILL_NUL_TERMINATED);
	}
	return h->result_text(c, "refused: no other process in /proc",
	                      SKILL_NUL_TERMINATED);
}

static skill_status do_socket(const skill_host_t *h, skill_call_t *c, long port)
{
	struct tally t = {{0}, {0}};
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	try_(&t, "socket(AF_INET)", fd >= 0 ? 0 : -1);
	if (fd >= 0) {
		try_(&t, "connect",
		     connect(fd, (struct sockaddr *)&a, sizeof a));
		close(fd);
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	try_(&t, "socket(AF_UNIX)", fd >= 0 ? 0 : -1);
	if (fd >= 0)
		close(fd);
	return report(h, c, &t);
}

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

static void *parked(void *arg)
{
	(void)arg;
	/* Held by the starter until every thread it could start is up. */
	pthread_mutex_lock(&gate);
	pthread_mutex_unlock(&gate);
	return NULL;
}

static skill_status do_threads(const skill_host_t *h, skill_call_t *c, long n)
{
	pthread_t *ids = calloc((size_t)(n > 0 ? n : 1), sizeof *ids);
	pthread_attr_t attr;
	long started = 0;
	int err = 0;
	char msg[256];

	if (!ids)
		return h->tool_error(c, "out of memory"), SKILL_ERR_TOOL;
	/* Small stacks, so the memory cap is not what stops them. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, (size_t)64 * 1024);
	pthread_mutex_lock(&gate);
	while (started < n &&
	       !(err = pthread_create(&ids[started], &attr, parked, NULL)))
		started++;
	pthread_mutex_unlock(&gate);
	for (long i = 0; i < started; i++)
		pthread_join(ids[i], NULL);
	pthread_attr_destroy(&attr);
	free(ids);
	snprintf(msg, sizeof msg, "%s: started %ld of %ld threads%s%s",
	         started == n ? "ALLOWED" : "refused", started, n,
	         err ? ": " : "", err ? strerror(err) : "");
	return h->result_text(c, msg, SKILL_NUL_TERMINATED);
}

static skill_status do_scratch(const skill_host_t *h, skill_call_t *c)
{
	const char *dir = getenv("TMPDIR");
	char path[512], buf[16] = "";
	struct tally t = {{0}, {0}};
	int fd;

	snprintf(path, sizeof path, "%s/escape-scratch", dir ? dir : "/tmp");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	try_(&t, "create", fd >= 0 && write(fd, "first", 5) == 5 ? 0 : -1);
	if (fd >= 0)
		close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	try_(&t, "read back",
	     fd >= 0 && read(fd, buf, sizeof buf - 1) == 5 ? 0 : -1);
	if (fd >= 0)
		close(fd);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	try_(&t, "O_TRUNC", fd >= 0 ? 0 : -1);
	if (fd >= 0)
		close(fd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	try_(&t, "ftruncate", fd >= 0 ? ftruncate(fd, 0) : -1);
	if (fd >= 0)
		close(fd);
	try_(&t, "unlink", unlink(path));
	/* The caller wants each step's verdict, not just any. */
	{
		char msg[1100];
		snprintf(msg, sizeof msg, "worked: %s | refused: %s", t.allowed,
		         t.refused[0] ? t.refused : "nothing");
		return h->result_text(c, msg, SKILL_NUL_TERMINATED);
	}
}

static skill_status invoke(void *data, const skill_host_t *h, skill_call_t *c,
                           uint32_t tool, const char *args, size_t len)
{
	const char *path = h->arg_string(c, "path");
	struct tally t = {{0}, {0}};
	int fd;

	(void)data, (void)args, (void)len;
	if (!path)
		path = "/nonexistent";
	switch (tool) {
	case T_PRLIMIT: {
		struct rlimit rl = {8, 8};
		pid_t pid = (pid_t)num(h, c, "pid", 0);
		if (pid == 0)
			pid = getppid();
		/* A parent outside a PID namespace has no pid here (0). */
		if (pid == 0) {
			errno = ESRCH;
			try_(&t, "prlimit(parent)", -1);
		} else {
			try_(&t, "prlimit",
			     prlimit(pid, RLIMIT_NOFILE, &rl, NULL));
		}
		return report(h, c, &t);
	}
	case T_KILL: {
		pid_t pid = (pid_t)num(h, c, "pid", 0);
		if (pid == -2)
			pid = getppid();
		try_(&t, "kill", kill(pid, (int)num(h, c, "sig", 0)));
		return report(h, c, &t);
	}
	case T_CHMOD: {
		mode_t mode = (mode_t)num(h, c, "mode", 0666);
		try_(&t, "chmod", chmod(path, mode));
		try_(&t, "fchmodat", fchmodat(AT_FDCWD, path, mode, 0));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		try_(&t, "fchmod", fd >= 0 ? fchmod(fd, mode) : -1);
		if (fd >= 0)
			close(fd);
		return report(h, c, &t);
	}
	case T_CHOWN:
		try_(&t, "chown", chown(path, 65534, 65534));
		try_(&t, "lchown", lchown(path, 65534, 65534));
		try_(&t, "fchownat", fchownat(AT_FDCWD, path, 65534, 65534, 0));
		return report(h, c, &t);
	case T_UTIME: {
		struct timespec ts[2] = {{0, 0}, {0, 0}};
		struct timeval tv[2] = {{0, 0}, {0, 0}};
		try_(&t, "utimensat", utimensat(AT_FDCWD, path, ts, 0));
		try_(&t, "utimes", utimes(path, tv));
		try_(&t, "futimesat",
		     (int)syscall(SYS_futimesat, AT_FDCWD, path, tv));
		return report(h, c, &t);
	}
	case T_TRUNCATE:
		try_(&t, "truncate", truncate(path, 0));
		return report(h, c, &t);
	case T_OPEN_TRUNC:
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		try_(&t, "open(O_TRUNC)", fd >= 0 ? 0 : -1);
		if (fd >= 0)
			close(fd);
		return report(h, c, &t);
	case T_STAT: return do_stat(h, c, path);
	case T_PROC: return do_proc(h, c);
	case T_SOCKET: return do_socket(h, c, num(h, c, "port", 9));
	case T_THREADS: return do_threads(h, c, num(h, c, "n", 3000));
	case T_X32: syscall(0x40000000 + 39); break;
	case T_INT80: {
		long r = 20; /* getpid in the i386 table */
		__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
		break;
	}
	case T_FORK: {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		try_(&t, "fork", p > 0 ? 0 : -1);
		return report(h, c, &t);
	}
	case T_EXEC: {
		char *argv[] = {"true", NULL};
		execve("/bin/true", argv, NULL);
		try_(&t, "execve", -1);
		return report(h, c, &t);
	}
	case T_WRITE:
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		try_(&t, "create",
		     fd >= 0 && write(fd, "planted\n", 8) == 8 ? 0 : -1);
		if (fd >= 0)
			close(fd);
		return report(h, c, &t);
	case T_READ: {
		char buf[64];
		ssize_t n = -1;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, buf, sizeof buf);
			close(fd);
		}
		try_(&t, "read", n >= 0 ? 0 : -1);
		return report(h, c, &t);
	}
	case T_SELF_LIMITS: {
		struct rlimit rl;
		try_(&t, "getrlimit", getrlimit(RLIMIT_NOFILE, &rl));
		rl.rlim_cur = rl.rlim_cur > 64 ? 64 : rl.rlim_cur;
		if (!t.refused[0])
			try_(&t, "setrlimit", setrlimit(RLIMIT_NOFILE, &rl));
		try_(&t, "prlimit(0)", prlimit(0, RLIMIT_NOFILE, NULL, &rl));
		/* Every step must work: report refusals first. */
		if (t.refused[0])
			t.allowed[0] = '\0';
		return report(h, c, &t);
	}
	case T_SCRATCH: return do_scratch(h, c);
	}
	h->tool_error(c, "the system call returned");
	return SKILL_ERR_TOOL;
}

static const skill_entry_t entry = {
        .struct_size = sizeof entry,
        .abi = SKILL_ABI_CURRENT,
        .name = "testing/escape",
        .version = "1.0.0",
        .license = "MIT",
        .description = "Test fixture: one tool per way out of the sandbox, "
                       "for the sandbox property battery.",
        .tool_count = T_COUNT,
        .tools = tool_ptrs,
        .invoke = invoke};

SKILL_EXPORT const skill_entry_t *skill_entry_v1(void)
{
	return &entry;
}
