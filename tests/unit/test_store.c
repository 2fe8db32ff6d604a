/*
 * test_store.c - every crafted bad package is refused with a message that
 * says what was wrong, and the store is left byte-for-byte unchanged; plus
 * the version rules (upgrade, downgrade, reinstall, rollback, remove);
 * and the stamp a load writes (stamp_draft_*).
 *
 * Packages are crafted here with libarchive and signed with keys made here,
 * around the real example skill built at SKILLS_OUT/lib/hello.so.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <sodium.h>

#include "fsutil.h"
#include "minisig.h"
#include "package.h"
#include "stamp.h"
#include "store.h"
#include "temphome.h"
#include "trust.h"

#define LIB "lib/" SKILLHOST_PLATFORM "/hello.so"

static char work[128];
static struct minisig_seckey *key_a, *key_b, *key_c;
static struct minisig_pubkey pub_a, pub_b, pub_c;
static char *lib_data;
static size_t lib_len;
static char lib_hash[65];

struct entry {
	const char *path;
	int type;         /* AE_IFREG (0 means regular), AE_IFLNK, ... */
	const char *data; /* NULL: the skill library */
	size_t len;
	const char *link; /* symlink target or hardlink source */
};

static void hash_hex(const void *d, size_t n, char out[65])
{
	uint8_t h[32];
	crypto_generichash(h, sizeof h, d, n, NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

static void sh(const char *cmd)
{
	assert_int_equal(system(cmd), 0);
}

/* Run cmd with f set to work/name: this run's own file, not whatever a
 * glob over /tmp finds (another test_store may be running beside it). */
static void sh_on(const char *name, const char *cmd)
{
	char line[512];

	snprintf(line, sizeof line, "f='%s/%s'; %s", work, name, cmd);
	sh(line);
}

static int setup(void **state)
{
	struct sh_error e;
	char path[256];

	(void)state;
	if (temphome_make("store"))
		return -1;
	snprintf(work, sizeof work, "%s/work", tmp);
	mkdir(work, 0700);
	if (minisig_keygen(&key_a, &pub_a, &e) ||
	    minisig_keygen(&key_b, &pub_b, &e) ||
	    minisig_keygen(&key_c, &pub_c, &e))
		return -1;
	if (trust_add(home, &pub_a, "example", &e) ||
	    trust_add(home, &pub_b, "other", &e))
		return -1;
	if (trust_add(home, &pub_a, "testing", &e))
		return -1;
	snprintf(path, sizeof path, "%s/lib/hello.so", SKILLS_OUT);
	if (fs_read_file(path, 64 << 20, &lib_data, &lib_len, &e))
		return -1;
	hash_hex(lib_data, lib_len, lib_hash);
	return 0;
}

static int teardown(void **state)
{
	temphome_teardown(state);
	minisig_seckey_free(key_a);
	minisig_seckey_free(key_b);
	minisig_seckey_free(key_c);
	free(lib_data);
	return 0;
}

/* Make path's bytes the library that packages carry from now on. */
static void use_lib(const char *file)
{
	char path[512];
	struct sh_error e;

	free(lib_data);
	snprintf(path, sizeof path, "%s/lib/%s", SKILLS_OUT, file);
	assert_int_equal(fs_read_file(path, 64 << 20, &lib_data, &lib_len, &e),
	                 SH_OK);
	hash_hex(lib_data, lib_len, lib_hash);
}

static const char *skill_name = "example/hello";
static const char *tool_name = "greet";

/* A packaged manifest for skill_name, with edits applied by printf. */
static char *manifest(const char *version, const char *extra_files,
                      const char *platform)
{
	char *m = malloc(8192);
	snprintf(m, 8192,
	         "{\"manifest\":1,\"name\":\"%s\",\"version\":\"%s\","
	         "\"abi\":1,\"description\":\"Greets people.\","
	         "\"platforms\":{\"%s\":\"lib/%s/hello.so\"},"
	         "\"tools\":[{\"name\":\"%s\"}],\"permissions\":{},"
	         "\"files\":{\"lib/%s/hello.so\":{\"size\":%zu,"
	         "\"blake2b256\":\"%s\"}%s}}",
	         skill_name, version, platform, platform, tool_name, platform,
	         lib_len, lib_hash, extra_files ? extra_files : "");
	return m;
}

static void write_archive(const char *out, const struct entry *en, size_t n)
{
	struct archive *a = archive_write_new();

	archive_write_set_format_ustar(a);
	archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_filename(a, out), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		const char *data = en[i].data ? en[i].data : lib_data;
		size_t len = en[i].data ? en[i].len : lib_len;
		int type = en[i].type ? en[i].type : (int)AE_IFREG;

		archive_entry_set_pathname(ae, en[i].path);
		archive_entry_set_filetype(ae, (unsigned)type);
		archive_entry_set_perm(ae, 0644);
		if (type == AE_IFLNK)
			archive_entry_set_symlink(ae, en[i].link);
		if (en[i].link && type == AE_IFREG)
			archive_entry_set_hardlink(ae, en[i].link);
		if (type == AE_IFCHR)
			archive_entry_set_rdev(ae, makedev(1, 3));
		archive_entry_set_size(ae, type == AE_IFREG && !en[i].link
		                                   ? (la_int64_t)len
		                                   : 0);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (type == AE_IFREG && !en[i].link && len)
			assert_int_equal(archive_write_data(a, data, len),
			                 (la_ssize_t)len);
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* Sign file with key, the trusted comment naming name/version and the
 * file's real hash. */
static void sign_as(const char *file, struct minisig_seckey *key,
                    const char *name, const char *version)
{
	struct minisig_package_info info = {0};
	struct minisig_signature sig;
	uint8_t digest[MINISIG_DIGEST_BYTES];
	char comment[MINISIG_PKG_COMMENT_SIZE], sigpath[512];
	struct sh_error e;
	uint64_t size;

	assert_int_equal(
	        minisig_hash_file(file, digest, info.blake2b256, &size, &e),
	        SH_OK);
	snprintf(info.name, sizeof info.name, "%s", name);
	snprintf(info.version, sizeof info.version, "%s", version);
	info.timestamp = 1764000000;
	assert_int_equal(minisig_package_comment_format(&info, comment,
	                                                sizeof comment, &e),
	                 SH_OK);
	assert_int_equal(
	        minisig_sign_digest(key, digest, comment, NULL, &sig, &e),
	        SH_OK);
	snprintf(sigpath, sizeof sigpath, "%s.minisig", file);
	assert_int_equal(minisig_save(sigpath, &sig, &e), SH_OK);
}

/* A good package, version v, at work/name. */
static char *good_package(const char *name, const char *version)
{
	static char path[512];
	char *m = manifest(version, NULL, SKILLHOST_PLATFORM);
	struct entry en[] = {{"manifest.json", 0, m, strlen(m), NULL},
	                     {LIB, 0, NULL, 0, NULL}};

	snprintf(path, sizeof path, "%s/%s", work, name);
	write_archive(path, en, 2);
	free(m);
	return path;
}

/* A listing of every file under home with its size, plus installed.json's
 * bytes: what "the store is unchanged" compares. */
static void walk(const char *dir, char *out, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char p[1024];
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, ".store.lock") ||
		    !strcmp(de->d_name, ".trust.lock"))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		lstat(p, &st);
		snprintf(out + strlen(out), cap - strlen(out), "%s %lld\n", p,
		         (long long)st.st_size);
		if (S_ISDIR(st.st_mode))
			walk(p, out, cap);
	}
	if (d)
		closedir(d);
}

static char *snapshot(void)
{
	char *s = calloc(1, 1 << 20), path[256], *idx = NULL;
	struct sh_error e;

	walk(home, s, 1 << 20);
	snprintf(path, sizeof path, "%s/installed.json", home);
	if (fs_read_file(path, 1 << 20, &idx, NULL, &e) == SH_OK) {
		strncat(s, idx, (1 << 20) - strlen(s) - 1);
		free(idx);
	}
	return s;
}

static void expect_refused(const char *pkg, const char *sig, sh_status want,
                           const char *must_say)
{
	struct store_install_opts o = {.sig_path = sig};
	struct store_install_result res;
	struct sh_error e;
	char *before = snapshot(), *after;
	sh_status rc;

	sh_error_clear(&e);
	rc = store_install(home, pkg, &o, &res, &e);
	print_message("  %s -> %s\n", pkg + strlen(work) + 1, e.msg);
	if (rc != want)
		fail_msg("%s: status %d (%s), wanted %d: %s", pkg, rc,
		         sh_status_name(rc), want, e.msg);
	if (must_say && !strstr(e.msg, must_say))
		fail_msg("%s: message lacks \"%s\": %s", pkg, must_say, e.msg);
	after = snapshot();
	if (strcmp(before, after))
		fail_msg("%s: the store changed:\nbefore:\n%s\nafter:\n%s", pkg,
		         before, after);
	free(before);
	free(after);
}

static void install_ok(const char *pkg, int downgrade, int force)
{
	struct store_install_opts o = {.allow_downgrade = downgrade,
	                               .force = force};
	struct store_install_result res;
	struct sh_error e;

	if (store_install(home, pkg, &o, &res, &e) != SH_OK)
		fail_msg("install %s: %s", pkg, e.msg);
}

static char *current_version(const char *name)
{
	static char v[64];
	cJSON *idx;
	struct sh_error e;

	assert_int_equal(store_read_index(home, &idx, &e), SH_OK);
	snprintf(v, sizeof v, "%s",
	         cJSON_GetObjectItem(
	                 cJSON_GetObjectItem(
	                         cJSON_GetObjectItem(
	                                 cJSON_GetObjectItem(idx, "skills"),
	                                 name),
	                         "current"),
	                 "version")
	                 ->valuestring);
	cJSON_Delete(idx);
	return v;
}

/* Package testing/versioned at version v. */
static char *versioned(const char *v)
{
	char file[64], name[64];
	char *p;

	snprintf(file, sizeof file, "testing-versioned-%s.so", v);
	snprintf(name, sizeof name, "versioned-%s.skill", v);
	use_lib(file);
	skill_name = "testing/versioned";
	tool_name = "version";
	p = good_package(name, v);
	sign_as(p, key_a, skill_name, v);
	skill_name = "example/hello";
	tool_name = "greet";
	return p;
}

static void test_versions(void **state)
{
	char now[64];
	struct sh_error e;
	const char *n = "testing/versioned";

	(void)state;
	install_ok(versioned("1.0.0"), 0, 0);
	assert_string_equal(current_version(n), "1.0.0");
	expect_refused(versioned("1.0.0"), NULL, SH_ERR_USAGE,
	               "already installed");
	install_ok(versioned("1.0.0"), 0, 1); /* --force reinstalls */
	install_ok(versioned("1.1.0"), 0, 0);
	assert_string_equal(current_version(n), "1.1.0");
	expect_refused(versioned("0.9.0"), NULL, SH_ERR_USAGE,
	               "--allow-downgrade");
	assert_int_equal(store_rollback(home, n, now, sizeof now, &e), SH_OK);
	assert_string_equal(now, "1.0.0");
	assert_string_equal(current_version(n), "1.0.0");
	assert_int_equal(store_rollback(home, n, now, sizeof now, &e), SH_OK);
	assert_string_equal(current_version(n), "1.1.0");
	install_ok(versioned("0.9.0"), 1, 0); /* --allow-downgrade */
	assert_string_equal(current_version(n), "0.9.0");
	assert_int_equal(store_remove(home, n, &e), SH_OK);
	assert_int_equal(store_remove(home, n, &e), SH_ERR_NOTFOUND);
	assert_int_equal(store_rollback(home, n, now, sizeof now, &e),
	                 SH_ERR_NOTFOUND);
	/* Leave example/hello 1.0.0 installed: the refusals below must not
	 * disturb it. */
	use_lib("hello.so");
	{
		char *p = good_package("v1.skill", "1.0.0");
		sign_as(p, key_a, "example/hello", "1.0.0");
		install_ok(p, 0, 0);
	}
}

static void patch_sig_line(const char *sigpath, void (*edit)(uint8_t *bin))
{
	char *text, *l2, *nl;
	uint8_t bin[74];
	size_t binlen;
	char b64[128];
	struct sh_error e;
	FILE *f;

	assert_int_equal(fs_read_file(sigpath, 1 << 16, &text, NULL, &e),
	                 SH_OK);
	l2 = strchr(text, '\n') + 1;
	nl = strchr(l2, '\n');
	*nl = '\0';
	assert_int_equal(sodium_base642bin(bin, sizeof bin, l2, strlen(l2),
	                                   NULL, &binlen, NULL,
	                                   sodium_base64_VARIANT_ORIGINAL),
	                 0);
	edit(bin);
	sodium_bin2base64(b64, sizeof b64, bin, sizeof bin,
	                  sodium_base64_VARIANT_ORIGINAL);
	f = fopen(sigpath, "w");
	fprintf(f, "%.*s%s\n%s", (int)(l2 - text), text, b64, nl + 1);
	fclose(f);
	free(text);
}

static void to_key_b(uint8_t *bin)
{
	memcpy(bin + 2, pub_b.key_id, 8);
}

static void to_legacy(uint8_t *bin)
{
	bin[1] = 'd';
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Flip the lowest bit of the last byte of path: same size, other bytes. */
static void flip_last_byte(const char *path)
{
	int fd = open(path, O_RDWR);
	off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	unsigned char c;

	assert_true(end > 0);
	assert_int_equal(pread(fd, &c, 1, end - 1), 1);
	c ^= 1;
	assert_int_equal(pwrite(fd, &c, 1, end - 1), 1);
	close(fd);
}

/* Change the first hex digit of the trusted comment's blake2b256 in the
 * .minisig at sigpath, leaving its signatures as they were. */
static void edit_comment_hash(const char *sigpath)
{
	char *text, *h;
	size_t len;
	struct sh_error e;

	assert_int_equal(fs_read_file(sigpath, 1 << 16, &text, &len, &e),
	                 SH_OK);
	h = strstr(text, "blake2b256:");
	assert_non_null(h);
	h += strlen("blake2b256:");
	*h = *h == '0' ? '1' : '0';
	assert_int_equal(fs_write_atomic(sigpath, text, len, 0644, &e), SH_OK);
	free(text);
}

static void test_signature_refusals(void **state)
{
	char pkg[512], sig[600], other[512];

	(void)state;
	snprintf(pkg, sizeof pkg, "%s", good_package("s.skill", "2.0.0"));
	snprintf(sig, sizeof sig, "%s.minisig", pkg);

	print_message("unsigned\n");
	unlink(sig);
	expect_refused(pkg, NULL, SH_ERR_TRUST, "has no signature");

	print_message("empty .minisig\n");
	write_text(sig, "");
	expect_refused(pkg, NULL, SH_ERR_TRUST, "refused");

	print_message("truncated .minisig\n");
	sign_as(pkg, key_a, "example/hello", "2.0.0");
	sh_on("s.skill.minisig", "head -2 $f > $f.t && mv $f.t $f");
	expect_refused(pkg, NULL, SH_ERR_TRUST, "refused");

	print_message("garbage base64\n");
	sign_as(pkg, key_a, "example/hello", "2.0.0");
	sh_on("s.skill.minisig", "sed -i '2s/.*/RUQ!!!not*base64!!!/' $f");
	expect_refused(pkg, NULL, SH_ERR_TRUST, "refused");

	print_message("key id changed to another trusted key\n");
	sign_as(pkg, key_a, "example/hello", "2.0.0");
	patch_sig_line(sig, to_key_b);
	expect_refused(pkg, NULL, SH_ERR_TRUST, "refused");

	print_message("legacy Ed signature\n");
	sign_as(pkg, key_a, "example/hello", "2.0.0");
	patch_sig_line(sig, to_legacy);
	expect_refused(pkg, NULL, SH_ERR_TRUST, "legacy");

	print_message("untrusted key\n");
	sign_as(pkg, key_c, "example/hello", "2.0.0");
	expect_refused(pkg, NULL, SH_ERR_TRUST, "does not trust");

	print_message("trusted key outside its namespace\n");
	sign_as(pkg, key_b, "example/hello", "2.0.0");
	expect_refused(pkg, NULL, SH_ERR_TRUST, "only for namespace other");

	print_message("valid signature of another file\n");
	snprintf(other, sizeof other, "%s", good_package("o.skill", "2.0.1"));
	sign_as(other, key_a, "example/hello", "2.0.1");
	{
		char osig[600];
		snprintf(osig, sizeof osig, "%s.minisig", other);
		expect_refused(pkg, osig, SH_ERR_TRUST, "refused");
	}

	print_message("comment names another version (replay)\n");
	sign_as(pkg, key_a, "example/hello", "1.9.0");
	expect_refused(pkg, NULL, SH_ERR_TRUST, "signature was made for");

	print_message("comment names another skill\n");
	sign_as(pkg, key_a, "example/other", "2.0.0");
	expect_refused(pkg, NULL, SH_ERR_TRUST, "signature was made for");

	print_message("tampered after signing\n");
	sign_as(pkg, key_a, "example/hello", "2.0.0");
	sh_on("s.skill", "printf 'x' >> $f");
	expect_refused(pkg, NULL, SH_ERR_TRUST, "refused");

	/* The install hashes once (BLAKE2b-512, for the signature): bytes
	 * that no longer match the trusted comment's blake2b256 are caught
	 * by that signature, at any position and without a size change. */
	print_message("last byte changed after signing, same size\n");
	snprintf(pkg, sizeof pkg, "%s", good_package("s.skill", "2.0.0"));
	sign_as(pkg, key_a, "example/hello", "2.0.0");
	flip_last_byte(pkg);
	expect_refused(pkg, NULL, SH_ERR_TRUST, "does not match the file");

	print_message("trusted comment's hash edited after signing\n");
	snprintf(pkg, sizeof pkg, "%s", good_package("s.skill", "2.0.0"));
	sign_as(pkg, key_a, "example/hello", "2.0.0");
	edit_comment_hash(sig);
	expect_refused(pkg, NULL, SH_ERR_TRUST, "trusted comment");
}

/* Write entries to work/name, sign them as example/hello 2.0.0 with key A,
 * and expect a refusal. */
static void crafted(const char *name, const struct entry *en, size_t n,
                    sh_status want, const char *must_say)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", work, name);
	write_archive(path, en, n);
	sign_as(path, key_a, "example/hello", "2.0.0");
	expect_refused(path, NULL, want, must_say);
}

static void test_archive_refusals(void **state)
{
	char *m = manifest("2.0.0", NULL, SKILLHOST_PLATFORM);
	struct entry base[] = {{"manifest.json", 0, m, strlen(m), NULL},
	                       {LIB, 0, NULL, 0, NULL}};
	size_t ml = strlen(m);

	(void)state;
#define CASE(name, want, say, ...)                                             \
	do {                                                                   \
		struct entry en[] = {{"manifest.json", 0, m, ml, NULL},        \
		                     {LIB, 0, NULL, 0, NULL},                  \
		                     __VA_ARGS__};                             \
		print_message("%s\n", name);                                   \
		crafted(name ".skill", en, sizeof en / sizeof *en, want, say); \
	} while (0)
	CASE("dotdot", SH_ERR_TRUST, "climbs out",
	     {"../evil.so", 0, "x", 1, NULL});
	CASE("dotdot-inner", SH_ERR_TRUST, "climbs out",
	     {"lib/../../evil.so", 0, "x", 1, NULL});
	CASE("absolute", SH_ERR_TRUST, "absolute path",
	     {"/tmp/evil.so", 0, "x", 1, NULL});
	CASE("symlink", SH_ERR_TRUST, "symbolic link",
	     {"lib/link", AE_IFLNK, NULL, 0, "/etc/passwd"});
	CASE("hardlink", SH_ERR_TRUST, "hard link",
	     {"lib/hard", 0, NULL, 0, "/etc/passwd"});
	CASE("device", SH_ERR_TRUST, "device", {"dev", AE_IFCHR, "", 0, NULL});
	CASE("fifo", SH_ERR_TRUST, "FIFO", {"fifo", AE_IFIFO, "", 0, NULL});
	CASE("duplicate", SH_ERR_TRUST, "same path twice",
	     {LIB, 0, NULL, 0, NULL});
	CASE("unlisted", SH_ERR_TRUST, "does not list",
	     {"extra.txt", 0, "hi", 2, NULL});
	CASE("hidden", SH_ERR_TRUST, "not allowed",
	     {".hidden", 0, "hi", 2, NULL});
#undef CASE
	{
		/* The library's bytes differ from what the manifest says. */
		char *bad = malloc(lib_len);
		struct entry en[] = {{"manifest.json", 0, m, ml, NULL},
		                     {LIB, 0, bad, lib_len, NULL}};
		memcpy(bad, lib_data, lib_len);
		bad[lib_len / 2] ^= 1;
		print_message("hash mismatch\n");
		crafted("hashmismatch.skill", en, 2, SH_ERR_TRUST,
		        "does not match its manifest");
		free(bad);
	}
	{
		char *m2 = manifest("2.0.0",
		                    ",\"README.md\":{\"size\":5,"
		                    "\"blake2b256\":\"aaaaaaaaaaaaaaaaaaaa"
		                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		                    "aaaaaaa\"}",
		                    SKILLHOST_PLATFORM);
		struct entry en[] = {{"manifest.json", 0, m2, strlen(m2), NULL},
		                     {LIB, 0, NULL, 0, NULL}};
		print_message("listed file missing\n");
		crafted("missing.skill", en, 2, SH_ERR_TRUST, "is missing");
		free(m2);
	}
	{
		struct entry en[] = {{LIB, 0, NULL, 0, NULL}};
		print_message("no manifest\n");
		crafted("nomanifest.skill", en, 1, SH_ERR_TRUST,
		        "no manifest.json");
	}
	(void)base;
	free(m);
}

static void test_manifest_refusals(void **state)
{
	static const struct {
		const char *name, *text, *say;
		sh_status want;
	} cases[] = {
	        {"malformed", "{\"name\": ", "not a JSON object",
	         SH_ERR_INVALID},
	        {"wrongtype", NULL, "\"version\" must be a string",
	         SH_ERR_INVALID},
	        {"abi2", NULL, "built for skill ABI 2", SH_ERR_INVALID},
	        {"noplatform", NULL, "no library for this platform",
	         SH_ERR_INVALID},
	        {"unknownkey", NULL, "unknown key \"colour\"", SH_ERR_INVALID},
	};
	char *big;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *m = NULL, name[64];
		const char *text = cases[i].text;
		if (!strcmp(cases[i].name, "wrongtype")) {
			m = manifest("2.0.0", NULL, SKILLHOST_PLATFORM);
			char *v = strstr(m, "\"2.0.0\"");
			memcpy(v, "200.0  ", 7);
			text = m;
		} else if (!strcmp(cases[i].name, "abi2")) {
			m = manifest("2.0.0", NULL, SKILLHOST_PLATFORM);
			*(strstr(m, "\"abi\":1") + 6) = '2';
			text = m;
		} else if (!strcmp(cases[i].name, "noplatform")) {
			m = manifest("2.0.0", NULL, "riscv64-linux-gnu");
			text = m;
		} else if (!strcmp(cases[i].name, "unknownkey")) {
			m = manifest("2.0.0", NULL, SKILLHOST_PLATFORM);
			memcpy(strstr(m, "\"manifest\":1"), "\"colour\":  1",
			       12);
			text = m;
		}
		{
			struct entry en[] = {
			        {"manifest.json", 0, text, strlen(text), NULL},
			        {!strcmp(cases[i].name, "noplatform")
			                 ? "lib/riscv64-linux-gnu/hello.so"
			                 : LIB,
			         0, NULL, 0, NULL}};
			snprintf(name, sizeof name, "%s.skill", cases[i].name);
			print_message("%s\n", cases[i].name);
			crafted(name, en, 2, cases[i].want, cases[i].say);
		}
		free(m);
	}
	/* Over 1 MiB. */
	big = malloc(MANIFEST_MAX_BYTES + 100);
	memset(big, ' ', MANIFEST_MAX_BYTES + 99);
	big[0] = '{';
	big[MANIFEST_MAX_BYTES + 98] = '}';
	big[MANIFEST_MAX_BYTES + 99] = '\0';
	{
		struct entry en[] = {
		        {"manifest.json", 0, big, strlen(big), NULL},
		        {LIB, 0, NULL, 0, NULL}};
		print_message("manifest over 1 MiB\n");
		crafted("bigmanifest.skill", en, 2, SH_ERR_INVALID,
		        "over 1048576 bytes");
	}
	free(big);
}

static void test_size_refusals(void **state)
{
	char path[512];
	char *m = manifest("2.0.0", NULL, SKILLHOST_PLATFORM);
	size_t zlen = 300u << 20;
	char *zeros = calloc(1, zlen);

	(void)state;
	{
		struct entry en[] = {{"manifest.json", 0, m, strlen(m), NULL},
		                     {LIB, 0, NULL, 0, NULL},
		                     {"bomb.bin", 0, zeros, zlen, NULL}};
		print_message("decompression bomb (ratio)\n");
		crafted("bomb.skill", en, 3, SH_ERR_TRUST,
		        "decompression bomb");
	}
	free(zeros);
	{
		size_t n = PACKAGE_MAX_ENTRIES + 2;
		struct entry *en = calloc(n, sizeof *en);
		char(*names)[32] = calloc(n, 32);
		en[0] = (struct entry){"manifest.json", 0, m, strlen(m), NULL};
		for (size_t i = 1; i < n; i++) {
			snprintf(names[i], 32, "f/%zu", i);
			en[i] = (struct entry){names[i], 0, "", 0, NULL};
		}
		print_message("too many entries\n");
		crafted("many.skill", en, n, SH_ERR_TRUST, "too many entries");
		free(en);
		free(names);
	}
	snprintf(path, sizeof path, "%s/empty.skill", work);
	write_text(path, "");
	sign_as(path, key_a, "example/hello", "2.0.0");
	print_message("zero-byte package\n");
	expect_refused(path, NULL, SH_ERR_INVALID, "empty (0 bytes)");
	snprintf(path, sizeof path, "%s/text.skill", work);
	write_text(path, "this is not an archive\n");
	sign_as(path, key_a, "example/hello", "2.0.0");
	print_message("not an archive\n");
	expect_refused(path, NULL, SH_ERR_INVALID, "not a skill package");
	free(m);
}

static void test_total_cap(void **state)
{
	struct package_limits lim = {
	        .max_total = 1 << 20, .max_ratio = 1000000, .max_entries = 100};
	char *m = manifest("2.0.0", NULL, SKILLHOST_PLATFORM);
	char *blob = calloc(1, 2 << 20);
	struct entry en[] = {{"manifest.json", 0, m, strlen(m), NULL},
	                     {"big.bin", 0, blob, 2 << 20, NULL}};
	char path[512], dest[512];
	struct sh_error e;

	(void)state;
	snprintf(path, sizeof path, "%s/total.skill", work);
	snprintf(dest, sizeof dest, "%s/total-out", work);
	write_archive(path, en, 2);
	assert_int_equal(
	        package_extract_limited(path, dest, &lim, NULL, NULL, &e),
	        SH_ERR_TRUST);
	assert_non_null(strstr(e.msg, "expands past 1048576 bytes"));
	assert_false(fs_exists(dest)); /* nothing half-written is left */
	free(blob);
	free(m);
}

static void test_reproducible_pack(void **state)
{
	char dir[512], a[512], b[512], cmd[4096];
	struct sh_error e;

	(void)state;
	snprintf(dir, sizeof dir, "%s/src", work);
	snprintf(cmd, sizeof cmd,
	         "mkdir -p %s/lib/%s %s/docs && cp %s/lib/hello.so %s/lib/%s/ "
	         "&& "
	         "echo readme > %s/docs/README.md && printf '%s' > "
	         "%s/manifest.json",
	         dir, SKILLHOST_PLATFORM, dir, SKILLS_OUT, dir,
	         SKILLHOST_PLATFORM, dir,
	         "{\"name\":\"example/hello\",\"version\":\"1.0.0\",\"abi\":1,"
	         "\"description\":\"d\",\"platforms\":{\"" SKILLHOST_PLATFORM
	         "\":\"lib/" SKILLHOST_PLATFORM "/hello.so\"},\"tools\":[{"
	         "\"name\":\"greet\"}],\"include\":[\"docs/README.md\"]}",
	         dir);
	sh(cmd);
	snprintf(a, sizeof a, "%s/a.skill", work);
	snprintf(b, sizeof b, "%s/b.skill", work);
	assert_int_equal(package_pack(dir, a, NULL, NULL, &e), SH_OK);
	sleep(1);
	snprintf(cmd, sizeof cmd, "touch %s/docs/README.md %s/lib/%s/hello.so",
	         dir, dir, SKILLHOST_PLATFORM);
	sh(cmd);
	assert_int_equal(package_pack(dir, b, NULL, NULL, &e), SH_OK);
	snprintf(cmd, sizeof cmd, "cmp %s %s", a, b);
	sh(cmd);
	/* Missing included file: a clear error naming it. */
	snprintf(cmd, sizeof cmd, "rm %s/docs/README.md", dir);
	sh(cmd);
	assert_int_equal(package_pack(dir, a, NULL, NULL, &e), SH_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "docs/README.md"));
}

/* The number of entries of dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

/* Stamp the files of dir (manifest.json, then data) as a load does: each
 * fstat()ed on the descriptor it would be hashed from. */
static void draft_files(struct stamp_draft *d, const char *dir)
{
	static const char *const rel[] = {"manifest.json", "data"};

	for (size_t i = 0; i < 2; i++) {
		char p[512];
		struct stat st;
		int fd;

		snprintf(p, sizeof p, "%s/%s", dir, rel[i]);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &st), 0);
		close(fd);
		stamp_draft_add(d, rel[i], &st);
	}
}

/* A stamp written at load vouches for the files it saw; a file that
 * changed after the draft read the clock keeps the whole stamp out, as
 * does an abort; a folder that cannot take a stamp is no error. */
static void test_stamp_draft(void **state)
{
	char dir[200], stamp[220], parent[160], cmd[1024], why[256];
	char hex[2 * MANIFEST_HASH_BYTES + 1];
	const struct timespec past_margin = {0, 3 * STAMP_MARGIN_NS};
	struct stamp_draft *d;
	long n = 0;

	(void)state;
	memset(hex, 'a', sizeof hex - 1);
	hex[sizeof hex - 1] = '\0';
	snprintf(parent, sizeof parent, "%s/drafts", work);
	snprintf(dir, sizeof dir, "%s/pkg-1", parent);
	snprintf(stamp, sizeof stamp, "%s%s", dir, STAMP_SUFFIX);
	snprintf(cmd, sizeof cmd,
	         "mkdir -p %s && echo '{}' > %s/manifest.json && "
	         "echo data > %s/data",
	         dir, dir, dir);
	sh(cmd);
	/* Older than the margin by the time the clock is read. */
	nanosleep(&past_margin, NULL);

	d = stamp_draft_begin(dir, hex);
	assert_non_null(d);
	draft_files(d, dir);
	stamp_draft_commit(d);
	assert_true(fs_exists(stamp));
	assert_int_equal(stamp_check(dir, hex, &n, why, sizeof why), 1);
	assert_int_equal(n, 2);
	assert_int_equal(count_prefixed(parent, "pkg-1.stamp."), 0);

	/* A change after begin read the clock: never stamped, however
	 * long ago the file changed before. */
	assert_int_equal(unlink(stamp), 0);
	d = stamp_draft_begin(dir, hex);
	assert_non_null(d);
	snprintf(cmd, sizeof cmd, "echo DATA > %s/data", dir);
	sh(cmd);
	draft_files(d, dir);
	stamp_draft_commit(d);
	assert_false(fs_exists(stamp));
	assert_int_equal(count_prefixed(parent, "pkg-1.stamp."), 0);
	assert_int_equal(stamp_check(dir, hex, &n, why, sizeof why), 0);
	assert_non_null(strstr(why, "no stamp"));

	/* Aborted (a file did not match): nothing written, nothing left. */
	nanosleep(&past_margin, NULL);
	d = stamp_draft_begin(dir, hex);
	assert_non_null(d);
	draft_files(d, dir);
	stamp_draft_abort(d);
	assert_false(fs_exists(stamp));
	assert_int_equal(count_prefixed(parent, "pkg-1."), 0);

	/* A folder whose parent is gone (or read-only): no draft, and the
	 * rest of the calls accept that. */
	snprintf(cmd, sizeof cmd, "%s/gone/pkg-1", work);
	d = stamp_draft_begin(cmd, hex);
	assert_null(d);
	stamp_draft_add(d, "data", &(struct stat){0});
	stamp_draft_commit(d);
	stamp_draft_abort(d);
	/* Not a manifest hash: refused before anything is created. */
	assert_null(stamp_draft_begin(dir, "not-hex"));
	assert_int_equal(count_prefixed(parent, "pkg-1."), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_versions),
	        cmocka_unit_test(test_signature_refusals),
	        cmocka_unit_test(test_archive_refusals),
	        cmocka_unit_test(test_manifest_refusals),
	        cmocka_unit_test(test_size_refusals),
	        cmocka_unit_test(test_total_cap),
	        cmocka_unit_test(test_reproducible_pack),
	        cmocka_unit_test(test_stamp_draft),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
