/*
 * fsutil.c - file helpers. See fsutil.h.
 */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

sh_status fs_open_read(const char *path, const char *name, int *fd,
                       struct sh_error *e)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return sh_error_errno(
		        e, errno == ENOENT ? SH_ERR_NOTFOUND : SH_ERR_IO, errno,
		        "cannot open %s", name);
	return SH_OK;
}

sh_status fs_read_some(int fd, void *buf, size_t cap, size_t *got,
                       const char *name, struct sh_error *e)
{
	ssize_t n;

	do
		n = read(fd, buf, cap);
	while (n < 0 && errno == EINTR);
	*got = n > 0 ? (size_t)n : 0;
	if (n < 0)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot read %s",
		                      name);
	return SH_OK;
}

sh_status fs_write_all(int fd, const void *data, size_t len, const char *name,
                       struct sh_error *e)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return sh_error_errno(e, SH_ERR_IO, errno,
			                      "cannot write %s", name);
		p += w;
		len -= (size_t)w;
	}
	return SH_OK;
}

sh_status fs_lock(const char *path, int *fd, struct sh_error *e)
{
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return sh_error_errno(
		        e, errno == ENOENT ? SH_ERR_NOTFOUND : SH_ERR_IO, errno,
		        "cannot open %s", path);
	while (flock(*fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			sh_status rc = sh_error_errno(e, SH_ERR_IO, errno,
			                              "cannot lock %s", path);
			close(*fd);
			*fd = -1;
			return rc;
		}
	return SH_OK;
}

sh_status fs_lock_in(const char *dir, const char *name, int *fd,
                     struct sh_error *e)
{
	char path[PATH_MAX];
	sh_status rc;

	*fd = -1;
	if ((rc = fs_mkdirs(dir, 0700, e)) ||
	    (rc = fs_join(path, sizeof path, dir, name, e)))
		return rc;
	return fs_lock(path, fd, e);
}

sh_status fs_read_file(const char *path, size_t cap, char **out, size_t *len,
                       struct sh_error *e)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	sh_status rc = SH_OK;
	int fd;

	*out = NULL;
	if ((rc = fs_open_read(path, path, &fd, e)))
		return rc;
	if (fstat(fd, &st) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot stat %s",
		                    path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = sh_error_set(e, SH_ERR_INVALID, "%s is not a regular file",
		                  path);
		goto out;
	}
	if ((unsigned long long)st.st_size > cap) {
		rc = sh_error_set(
		        e, SH_ERR_NOMEM,
		        "%s is %lld bytes, over the limit of %zu bytes", path,
		        (long long)st.st_size, cap);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory reading %s",
		                  path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		size_t n;

		if ((rc = fs_read_some(fd, buf + got, (size_t)st.st_size - got,
		                       &n, path, e)))
			goto out;
		if (n == 0)
			break; /* shrank while reading: take what is there */
		got += n;
	}
	buf[got] = '\0';
	*out = buf;
	buf = NULL;
	if (len)
		*len = got;
out:
	free(buf);
	close(fd);
	return rc;
}

static sh_status dir_of(const char *path, char *dir, size_t cap,
                        struct sh_error *e)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		if (cap < 2)
			return sh_error_set(e, SH_ERR_NOMEM, "path too long");
		memcpy(dir, ".", 2);
		return SH_OK;
	}
	if ((size_t)(slash - path) + 1 > cap)
		return sh_error_set(e, SH_ERR_NOMEM, "path too long: %s", path);
	if (slash == path) {
		memcpy(dir, "/", 2);
		return SH_OK;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return SH_OK;
}

sh_status fs_sync_dir(const char *path, struct sh_error *e)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sh_error_errno(e, SH_ERR_IO, errno,
		                      "cannot open directory %s", path);
	if (fsync(fd) != 0 && errno != EINVAL) {
		int err = errno;
		close(fd);
		return sh_error_errno(e, SH_ERR_IO, err,
		                      "cannot fsync directory %s", path);
	}
	close(fd);
	return SH_OK;
}

sh_status fs_write_atomic(const char *path, const void *data, size_t len,
                          mode_t mode, struct sh_error *e)
{
	char tmp[PATH_MAX];
	char dir[PATH_MAX];
	sh_status rc;
	int fd, n;

	rc = dir_of(path, dir, sizeof dir, e);
	if (rc != SH_OK)
		return rc;
	n = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return sh_error_set(e, SH_ERR_NOMEM, "path too long: %s", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return sh_error_errno(
		        e, SH_ERR_IO, errno,
		        "cannot create a temporary file beside %s", path);
	if (fchmod(fd, mode) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot chmod %s",
		                    tmp);
		goto fail;
	}
	if ((rc = fs_write_all(fd, data, len, tmp, e)))
		goto fail;
	if (fsync(fd) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot fsync %s",
		                    tmp);
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = sh_error_errno(e, SH_ERR_IO, errno, "cannot close %s",
		                    tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = sh_error_errno(e, SH_ERR_IO, errno,
		                    "cannot rename %s to %s", tmp, path);
		goto fail;
	}
	return fs_sync_dir(dir, e);
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

sh_status fs_mkdirs(const char *path, mode_t mode, struct sh_error *e)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof buf)
		return sh_error_set(e, SH_ERR_USAGE, "bad directory path '%s'",
		                    path);
	memcpy(buf, path, n + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST)
			return sh_error_errno(e, SH_ERR_IO, errno,
			                      "cannot create directory %s",
			                      buf);
		*s = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		return sh_error_errno(e, SH_ERR_IO, errno,
		                      "cannot create directory %s", buf);
	if (!fs_is_dir(buf))
		return sh_error_set(e, SH_ERR_IO,
		                    "%s exists and is not a directory", buf);
	return SH_OK;
}

static sh_status remove_at(int parent, const char *name, const char *shown,
                           struct sh_error *e)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT
		               ? SH_OK
		               : sh_error_errno(e, SH_ERR_IO, errno,
		                                "cannot stat %s", shown);
	if (S_ISDIR(st.st_mode)) {
		int fd =
		        openat(parent, name,
		               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d;
		struct dirent *de;
		sh_status rc = SH_OK;

		if (fd < 0)
			return sh_error_errno(e, SH_ERR_IO, errno,
			                      "cannot open %s", shown);
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return sh_error_errno(e, SH_ERR_IO, errno,
			                      "cannot read %s", shown);
		}
		while (rc == SH_OK && (de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			rc = remove_at(dirfd(d), de->d_name, shown, e);
		}
		closedir(d);
		if (rc != SH_OK)
			return rc;
		if (unlinkat(parent, name, AT_REMOVEDIR) != 0 &&
		    errno != ENOENT)
			return sh_error_errno(e, SH_ERR_IO, errno,
			                      "cannot remove %s", shown);
		return SH_OK;
	}
	if (unlinkat(parent, name, 0) != 0 && errno != ENOENT)
		return sh_error_errno(e, SH_ERR_IO, errno, "cannot remove %s",
		                      shown);
	return SH_OK;
}

sh_status fs_remove_tree(const char *path, struct sh_error *e)
{
	return remove_at(AT_FDCWD, path, path, e);
}

int fs_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int fs_is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

sh_status fs_join(char *buf, size_t cap, const char *a, const char *b,
                  struct sh_error *e)
{
	int n = snprintf(buf, cap, "%s/%s", a, b);
	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(e, SH_ERR_NOMEM, "path too long: %s/%s", a,
		                    b);
	return SH_OK;
}

sh_status fs_pathf(char *buf, size_t cap, struct sh_error *e, const char *fmt,
                   ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		return sh_error_set(e, SH_ERR_NOMEM, "path too long: %.80s...",
		                    buf);
	return SH_OK;
}
