/*
 * bench_registry - the marketplace's costs, measured in one run:
 *   1. an index of N packages (default 10,000): building the JSON,
 *      checking it the way skillreg does before signing, signing it, its
 *      size; then on the client: verifying and parsing the cached index,
 *      and `skillhost search --offline` as a whole process (median wall
 *      time), for a name, a tool name and a word from the descriptions;
 *   2. installing a 10 MB package from a registry served by a local nginx
 *      (skipped when nginx is missing), split into download (HTTP, hashed
 *      while streaming), signature verification and extraction, plus the
 *      whole `regclient_install` (which also probes the skill in a child
 *      and commits it to the store).
 *
 *   bench_registry [N=10000] [RUNS=5]      (BENCH_KEEP=1 keeps its files)
 * Needs the build tree: skills-out (dev key, hello.so), host/skillhost,
 * registry/skillreg.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "download.h"
#include "fsutil.h"
#include "minisig.h"
#include "package.h"
#include "regindex.h"
#include "registry_client.h"
#include "trust.h"
#define BENCH_NAME "bench_registry"
#include "bench_util.h"

#define NAMESPACES  100
#define SEARCH_RUNS 9

/* The nginx this run started, stopped however the run ends. */
static pid_t nginx_pid = -1;

static void stop_nginx(void)
{
	if (nginx_pid > 0) {
		kill(nginx_pid, SIGTERM);
		waitpid(nginx_pid, NULL, 0);
		nginx_pid = -1;
	}
}

static void write_file(const char *path, const char *data, size_t len)
{
	struct sh_error e;

	if (fs_write_atomic(path, data, len, 0644, &e))
		bench_die("write", &e);
}

/* Sign text as registry metadata with sk into path. */
static void sign_meta(const struct minisig_seckey *sk, enum regmeta_kind k,
                      int64_t version, int64_t expires, const char *text,
                      const char *path)
{
	struct regmeta_info info = {.kind = k,
	                            .version = version,
	                            .expires = expires,
	                            .length = strlen(text),
	                            .timestamp = 0};
	uint8_t digest[MINISIG_DIGEST_BYTES];
	char comment[REGINDEX_COMMENT_SIZE];
	struct minisig_signature sig;
	struct minisig_hasher h;
	struct sh_error e;

	if (minisig_hasher_init(&h, 1, &e))
		bench_die("hash", &e);
	minisig_hasher_update(&h, text, strlen(text));
	minisig_hasher_final(&h, digest, info.blake2b256);
	if (regmeta_comment_format(&info, comment, sizeof comment, &e) ||
	    minisig_sign_digest(sk, digest, comment, NULL, &sig, &e) ||
	    minisig_save(path, &sig, &e))
		bench_die("sign", &e);
}

/* Run argv with stdout to /dev/null; returns wall ms. */
static double time_process(char *const argv[])
{
	double t0 = bench_now_ms();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_registry: %s %s failed\n", argv[0],
		        argv[3]);
		exit(5);
	}
	return bench_now_ms() - t0;
}

/* ---- 1. a large index --------------------------------------------------- */

static void bench_index(const char *dir, int n)
{
	struct minisig_seckey *root_sk, *index_sk, *pub_sk;
	struct minisig_pubkey root_pk, index_pk, pub_pk;
	char rb64[MINISIG_PUBKEY_B64_SIZE], ib64[MINISIG_PUBKEY_B64_SIZE];
	char pb64[MINISIG_PUBKEY_B64_SIZE], pid[MINISIG_KEYID_HEX_SIZE];
	char reg[512], home[512], path[700], url[600], bin[600];
	char t[REGINDEX_TIME_SIZE], texp[REGINDEX_TIME_SIZE];
	char tool_query[32], name_query[32];
	double t_build, t_check, t_sign, t_load, t0, runs[SEARCH_RUNS];
	struct regclient_summary sum;
	struct regclient_set *set;
	struct regclient_opts oo = {.refresh = REGCLIENT_OFFLINE};
	struct regindex *ix;
	struct sh_error e;
	cJSON *root, *nss, *pkgs;
	char *text, *rtext;
	int64_t expires = (int64_t)time(NULL) + 86400;

	if (minisig_keygen(&root_sk, &root_pk, &e) ||
	    minisig_keygen(&index_sk, &index_pk, &e) ||
	    minisig_keygen(&pub_sk, &pub_pk, &e))
		bench_die("keygen", &e);
	minisig_pubkey_to_base64(&root_pk, rb64);
	minisig_pubkey_to_base64(&index_pk, ib64);
	minisig_pubkey_to_base64(&pub_pk, pb64);
	minisig_keyid_to_hex(pub_pk.key_id, pid);
	regindex_time_format((int64_t)time(NULL), t);
	regindex_time_format(expires, texp);

	t0 = bench_now_ms();
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "type", REGINDEX_TYPE);
	cJSON_AddNumberToObject(root, "format", 1);
	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddStringToObject(root, "generated", t);
	cJSON_AddStringToObject(root, "expires", texp);
	nss = cJSON_AddObjectToObject(root, "namespaces");
	for (int i = 0; i < NAMESPACES; i++) {
		char ns[32];
		cJSON *keys, *k;
		snprintf(ns, sizeof ns, "ns%02d", i);
		keys = cJSON_AddArrayToObject(nss, ns);
		k = cJSON_CreateObject();
		cJSON_AddStringToObject(k, "id", pid);
		cJSON_AddStringToObject(k, "key", pb64);
		cJSON_AddItemToArray(keys, k);
	}
	pkgs = cJSON_AddArrayToObject(root, "packages");
	for (int i = 0; i < n; i++) {
		char name[64], desc[256], hash[65], u[128];
		uint8_t h[32];
		cJSON *p = cJSON_CreateObject(), *tools, *perm;
		snprintf(name, sizeof name, "ns%02d/skill-%05d", i % NAMESPACES,
		         i);
		snprintf(desc, sizeof desc,
		         "Skill number %d: reads and writes records in system "
		         "%d, with search, create, update and delete tools.",
		         i, i % 97);
		randombytes_buf(h, sizeof h);
		sodium_bin2hex(hash, sizeof hash, h, sizeof h);
		snprintf(u, sizeof u, "packages/%s/skill-%05d-1.0.0.skill",
		         name, i);
		cJSON_AddStringToObject(p, "name", name);
		cJSON_AddStringToObject(p, "version", "1.0.0");
		cJSON_AddStringToObject(p, "description", desc);
		cJSON_AddStringToObject(p, "license", "MIT");
		tools = cJSON_AddArrayToObject(p, "tools");
		for (int k = 0; k < 4; k++) {
			static const char *const verbs[] = {"search", "create",
			                                    "update", "delete"};
			char tn[64];
			cJSON *tool = cJSON_CreateObject();
			snprintf(tn, sizeof tn, "%s_%d", verbs[k], i);
			cJSON_AddStringToObject(tool, "name", tn);
			cJSON_AddStringToObject(tool, "description",
			                        "Operate on records.");
			cJSON_AddItemToArray(tools, tool);
		}
		perm = cJSON_AddObjectToObject(p, "permissions");
		cJSON_AddItemToObject(perm, "network", cJSON_CreateArray());
		cJSON_AddItemToObject(perm, "secrets", cJSON_CreateArray());
		cJSON_AddItemToObject(perm, "filesystem", cJSON_CreateArray());
		cJSON_AddStringToObject(p, "publisher", pid);
		cJSON_AddStringToObject(p, "url", u);
		strcat(u, ".minisig");
		cJSON_AddStringToObject(p, "signature", u);
		cJSON_AddNumberToObject(p, "length", 10000 + i);
		cJSON_AddStringToObject(p, "blake2b256", hash);
		cJSON_AddStringToObject(p, "published", t);
		cJSON_AddItemToArray(pkgs, p);
	}
	text = cJSON_PrintUnformatted(root);
	t_build = bench_now_ms() - t0;

	t0 = bench_now_ms();
	if (regindex_parse(text, strlen(text), "bench", &ix, &e))
		bench_die("parse", &e);
	t_check = bench_now_ms() - t0;
	regindex_free(ix);

	snprintf(reg, sizeof reg, "%s/reg", dir);
	snprintf(path, sizeof path, "%s/index.json.minisig", reg);
	fs_mkdirs(reg, 0755, &e);
	t0 = bench_now_ms();
	sign_meta(index_sk, REGMETA_INDEX, 1, expires, text, path);
	t_sign = bench_now_ms() - t0;
	snprintf(path, sizeof path, "%s/index.json", reg);
	write_file(path, text, strlen(text));

	/* A root naming the index key, for the client. */
	{
		cJSON *r = cJSON_CreateObject(), *keys;
		cJSON_AddStringToObject(r, "type", REGROOT_TYPE);
		cJSON_AddNumberToObject(r, "format", 1);
		cJSON_AddNumberToObject(r, "version", 1);
		cJSON_AddStringToObject(r, "created", t);
		cJSON_AddStringToObject(r, "root_key", rb64);
		keys = cJSON_AddArrayToObject(r, "index_keys");
		cJSON_AddItemToArray(keys, cJSON_CreateString(ib64));
		rtext = cJSON_Print(r);
		cJSON_Delete(r);
		snprintf(path, sizeof path, "%s/root.json", reg);
		write_file(path, rtext, strlen(rtext));
		snprintf(path, sizeof path, "%s/root.json.minisig", reg);
		sign_meta(root_sk, REGMETA_ROOT, 1, 0, rtext, path);
		free(rtext);
	}
	printf("index of %d packages (%d namespaces, 4 tools each):\n", n,
	       NAMESPACES);
	printf("  size:                      %8.2f MB\n",
	       (double)strlen(text) / 1e6);
	printf("  build the JSON:            %8.1f ms\n", t_build);
	printf("  check it (parse, validate):%8.1f ms\n", t_check);
	printf("  sign it (hash + Ed25519):  %8.1f ms\n", t_sign);
	printf("  build + check + sign:      %8.1f ms\n",
	       t_build + t_check + t_sign);

	/* The client: add over file://, then load the cache and search. */
	snprintf(home, sizeof home, "%s/home", dir);
	snprintf(url, sizeof url, "file://%s/", reg);
	{
		const char *urls[1] = {url};
		t0 = bench_now_ms();
		if (regclient_add(home, "big", urls, 1, &root_pk, NULL, &sum,
		                  &e))
			bench_die("registry add", &e);
		printf("  client: registry add:      %8.1f ms (%zu packages)\n",
		       bench_now_ms() - t0, sum.npackages);
	}
	snprintf(tool_query, sizeof tool_query, "update_%d", n / 2);
	snprintf(name_query, sizeof name_query, "ns%02d/skill-%05d",
	         (n / 3) % NAMESPACES, n / 3);
	for (int r = 0; r < SEARCH_RUNS; r++) {
		cJSON *hits;
		t0 = bench_now_ms();
		if (regclient_open(home, NULL, &oo, &set, &e))
			bench_die("open", &e);
		runs[r] = bench_now_ms() - t0;
		hits = regclient_search(set, tool_query);
		if (cJSON_GetArraySize(hits) != 1)
			bench_die("search found the wrong number of skills",
			          NULL);
		cJSON_Delete(hits);
		regclient_set_free(set);
	}
	t_load = bench_median(runs, SEARCH_RUNS);
	printf("  client: verify + parse the cached index: %6.1f ms\n", t_load);
	if (fs_pathf(bin, sizeof bin, NULL, "%s/../host/skillhost", SKILLS_OUT))
		bench_die("path too long", NULL);
	{
		const char *const queries[] = {name_query, tool_query,
		                               "system 42"};
		for (size_t q = 0; q < 3; q++) {
			char *argv[] = {
			        bin,         "--home",           home, "search",
			        "--offline", (char *)queries[q], NULL};
			for (int r = 0; r < SEARCH_RUNS; r++)
				runs[r] = time_process(argv);
			printf("  skillhost search --offline \"%s\": %6.1f ms "
			       "(median of %d processes)\n",
			       queries[q], bench_median(runs, SEARCH_RUNS),
			       SEARCH_RUNS);
		}
	}
	free(text);
	cJSON_Delete(root);
	minisig_seckey_free(root_sk);
	minisig_seckey_free(index_sk);
	minisig_seckey_free(pub_sk);
}

/* ---- 2. a 10 MB install from nginx -------------------------------------- */

static pid_t start_nginx(const char *dir, const char *served, int *port)
{
	char conf[600], cmd[2048];
	FILE *f;
	pid_t pid;

	*port = 20000 + (int)(randombytes_uniform(20000));
	snprintf(conf, sizeof conf, "%s/nginx.conf", dir);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	fprintf(f,
	        "%s\nworker_processes 1;\ndaemon off;\npid %s/nginx.pid;\n"
	        "error_log %s/nginx.err warn;\nevents { worker_connections 64; "
	        "}\n"
	        "http { access_log off; client_body_temp_path %s/b; "
	        "proxy_temp_path %s/p; fastcgi_temp_path %s/f; "
	        "uwsgi_temp_path %s/u; scgi_temp_path %s/s; sendfile on;\n"
	        "  server { listen 127.0.0.1:%d; root %s; } }\n",
	        getuid() == 0 ? "user root root;" : "", dir, dir, dir, dir, dir,
	        dir, dir, *port, served);
	fclose(f);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("nginx", "nginx", "-p", dir, "-c", conf, "-e",
		       "/dev/null", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		snprintf(cmd, sizeof cmd,
		         "curl -fs http://127.0.0.1:%d/index.json >/dev/null",
		         *port);
		if (system(cmd) == 0)
			return pid;
		usleep(50000);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return -1;
}

static void bench_install(const char *dir, int runs)
{
	char src[512], pkg[600], reg[512], home[512], cmd[4096], url[128];
	char pkgurl[700], part[700], dest[700], rootpub[600];
	double dl[64], ver[64], ext[64], full[64], full_dl[64], full_inst[64];
	struct minisig_pubkey dev, root;
	struct minisig_signature sig;
	struct regclient_summary sum;
	struct regclient_set *set;
	struct regclient_opts oo = {.refresh = REGCLIENT_ALWAYS};
	struct download_opts dlo;
	struct sh_error e;
	const char *urls[1];
	struct stat st;
	int port;
	pid_t ng;

	if (system("command -v nginx >/dev/null 2>&1") != 0) {
		printf("install from nginx: skipped (nginx is not "
		       "installed)\n");
		return;
	}
	snprintf(src, sizeof src, "%s/src", dir);
	snprintf(pkg, sizeof pkg, "%s/big.skill", dir);
	snprintf(reg, sizeof reg, "%s/ngreg", dir);
	snprintf(home, sizeof home, "%s/nghome", dir);
	bench_make_big_package(src, pkg);
	if (fs_pathf(cmd, sizeof cmd, NULL,
	             "%s/../registry/skillreg -q init %s >/dev/null && "
	             "%s/../registry/skillreg -q publisher add %s example "
	             "%s/dev.pub >/dev/null && "
	             "%s/../registry/skillreg -q add %s %s >/dev/null",
	             SKILLS_OUT, reg, SKILLS_OUT, reg, SKILLS_OUT, SKILLS_OUT,
	             reg, pkg))
		bench_die("command too long", NULL);
	bench_run(cmd);
	stat(pkg, &st);
	ng = start_nginx(dir, reg, &port);
	nginx_pid = ng;
	if (ng < 0) {
		printf("install from nginx: skipped (nginx did not start)\n");
		return;
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	snprintf(rootpub, sizeof rootpub, "%s.keys/root.pub", reg);
	snprintf(cmd, sizeof cmd, "%s/dev.pub", SKILLS_OUT);
	urls[0] = url;
	if (minisig_pubkey_load(rootpub, &root, &e) ||
	    minisig_pubkey_load(cmd, &dev, &e) ||
	    regclient_add(home, "ng", urls, 1, &root, NULL, &sum, &e) ||
	    trust_add(home, &dev, "example", &e))
		bench_die("set up the client", &e);
	snprintf(pkgurl, sizeof pkgurl,
	         "%spackages/example/hello/hello-1.0.0.skill", url);
	snprintf(cmd, sizeof cmd, "%s.minisig", pkg);
	if (minisig_load(cmd, &sig, &e))
		bench_die("signature", &e);
	download_opts_default(&dlo);
	dlo.progress = 0;
	for (int r = 0; r < runs; r++) {
		struct download_req q = {.urls = (const char *const[]){pkgurl},
		                         .nurls = 1,
		                         .max_bytes = (uint64_t)st.st_size,
		                         .exact = 1,
		                         .path = part,
		                         .what = "bench"};
		struct download_result res;
		struct regclient_install_result ir;
		struct regclient_install_opts io = {.force = 1, .dl = &dlo};
		uint8_t h[32];
		double t0;

		snprintf(part, sizeof part, "%s/dl%d.skill", dir, r);
		t0 = bench_now_ms();
		if (download_fetch(&q, &dlo, &res, &e))
			bench_die("download", &e);
		dl[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		if (minisig_verify_file(&dev, &sig, part, h, &e))
			bench_die("verify", &e);
		ver[r] = bench_now_ms() - t0;
		snprintf(dest, sizeof dest, "%s/x%d", dir, r);
		t0 = bench_now_ms();
		if (package_extract(part, dest, NULL, &e))
			bench_die("extract", &e);
		ext[r] = bench_now_ms() - t0;
		fs_remove_tree(dest, &e);
		unlink(part);
		if (regclient_open(home, NULL, &oo, &set, &e))
			bench_die("open", &e);
		t0 = bench_now_ms();
		if (regclient_install(home, set, "example/hello", &io, &ir, &e))
			bench_die("install", &e);
		full[r] = bench_now_ms() - t0;
		full_dl[r] = ir.download_s * 1e3;
		full_inst[r] = ir.install_s * 1e3;
		regclient_set_free(set);
	}
	stop_nginx();
	printf("install of a %.1f MB package from nginx (median of %d):\n",
	       (double)st.st_size / 1e6, runs);
	printf("  download (HTTP, hashed while streaming): %7.1f ms "
	       "(%.0f MB/s)\n",
	       bench_median(dl, runs),
	       (double)st.st_size / 1e3 / bench_median(dl, runs));
	printf("  verify (hash + signature):               %7.1f ms\n",
	       bench_median(ver, runs));
	printf("  extract (safe, checked, synced):         %7.1f ms\n",
	       bench_median(ext, runs));
	printf("  whole `skillhost install NAME`:          %7.1f ms "
	       "(download %.1f ms, store_install %.1f ms incl. probe)\n",
	       bench_median(full, runs), bench_median(full_dl, runs),
	       bench_median(full_inst, runs));
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	char dir[] = "/tmp/bench-registry-XXXXXX";
	struct sh_error e;

	if (n < 1 || runs < 1 || runs > 64 || sodium_init() < 0) {
		fprintf(stderr, "usage: bench_registry [N=10000] [RUNS=5]\n");
		return 2;
	}
	if (!mkdtemp(dir))
		bench_die("mkdtemp", NULL);
	atexit(stop_nginx);
	setenv("SKILLHOST_PROGRESS", "0", 1);
	bench_use_built_worker();
	bench_index(dir, n);
	bench_install(dir, runs);
	/* BENCH_KEEP=1 keeps the registries and stores, for profiling. */
	if (getenv("BENCH_KEEP"))
		printf("kept %s\n", dir);
	else
		fs_remove_tree(dir, &e);
	return 0;
}
