/*
 * fuzz_wire - the host's side of the worker protocol must take any bytes a
 * malicious worker can send, in any split, and either decode them or
 * refuse them, without crashing, leaking or reading out of bounds; and
 * whatever it accepts must survive being written back unchanged.
 *
 * The first input byte picks how the rest is cut into reads (1 to 256
 * bytes at a time), so frames arriving in pieces are covered too.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

/* Re-encode a decoded LOG and decode it again: the same fields. */
static void round_trip_log(const struct wire_msg *m, const struct wire_log *lg)
{
	struct wire_buf b;
	struct wire_reader r;
	struct wire_msg m2;
	struct wire_log lg2;
	char why[128];

	wire_buf_init(&b);
	wire_begin(&b, WIRE_LOG, m->id);
	wire_put_u32(&b, lg->level);
	wire_put_str(&b, lg->msg);
	check(wire_end(&b, NULL) == SH_OK);
	wire_reader_init(&r);
	check(wire_feed(&r, b.data, b.len) == 0);
	check(wire_next(&r, &m2, why, sizeof why) == 1);
	check(m2.type == WIRE_LOG && m2.id == m->id && m2.len == m->len);
	check(wire_decode_log(&m2, &lg2));
	check(lg2.level == lg->level && !strcmp(lg2.msg, lg->msg));
	wire_reader_free(&r);
	wire_buf_free(&b, 0);
}

static void decode(const struct wire_msg *m)
{
	struct wire_http_header headers[WIRE_HTTP_HEADERS_MAX];
	struct wire_hello hello;
	struct wire_ready ready;
	struct wire_done done;
	struct wire_log lg;
	struct wire_progress pg;
	struct wire_media md;
	struct wire_resource rs;
	struct wire_link lk;
	struct wire_ext_call xc;
	struct wire_http_req hq;
	const char *p;
	size_t n;
	char tn[16];

	/* Every decoder on every frame: a type is only a claim. */
	if (wire_decode_hello(m, &hello))
		check(strlen(hello.skill) < m->len &&
		      strlen(hello.tools) < m->len);
	if (wire_decode_ready(m, &ready) && ready.config_schema)
		check(strlen(ready.config_schema) < m->len);
	if (wire_decode_done(m, &done))
		check(done.retire <= 1);
	if (wire_decode_log(m, &lg))
		round_trip_log(m, &lg);
	if (wire_decode_progress(m, &pg))
		check(!isnan(pg.progress) && !isnan(pg.total));
	if (wire_decode_blob(m, &p, &n))
		check(n < m->len && p[n] == '\0');
	if (wire_decode_tool_error(m, &p) && p)
		check(strlen(p) < m->len);
	if (wire_decode_media(m, &md))
		check(md.len < m->len && md.data[md.len] == '\0');
	if (wire_decode_resource(m, &rs))
		check((!rs.text || rs.text[rs.text_len] == '\0') &&
		      (!rs.blob || rs.blob[rs.blob_len] == '\0'));
	if (wire_decode_link(m, &lk))
		check(strlen(lk.uri) < m->len && strlen(lk.name) < m->len);
	if (wire_decode_ext_call(m, &xc)) {
		struct wire_rd copy = xc.args;
		if (wire_decode_http_req(&copy, &hq, headers,
		                         WIRE_HTTP_HEADERS_MAX))
			for (size_t i = 0; i < hq.nheaders; i++)
				check(strlen(headers[i].name) < m->len &&
				      strlen(headers[i].value) < m->len);
		copy = xc.args;
		(void)wire_get_str(&copy);
		(void)wire_get_u64(&copy);
		(void)wire_rd_done(&copy);
		copy = xc.args;
		(void)wire_get_u32(&copy);
		(void)wire_get_bytes(&copy, &n);
		(void)wire_get_nbytes(&copy, &n);
		(void)wire_get_f64(&copy);
		(void)wire_get_nstr(&copy);
	}
	(void)wire_type_name(m->type, tn, sizeof tn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_reader r;
	struct wire_msg m;
	size_t step, off = 1;
	char why[160];
	int k = 0;

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	wire_reader_init(&r);
	while (off < size && k >= 0) {
		size_t n = size - off < step ? size - off : step;
		if (wire_feed(&r, data + off, n))
			break;
		off += n;
		while ((k = wire_next(&r, &m, why, sizeof why)) == 1) {
			check(m.len <= WIRE_PAYLOAD_MAX);
			decode(&m);
		}
		if (k < 0)
			check(why[0] != '\0');
	}
	wire_reader_free(&r);
	return 0;
}
