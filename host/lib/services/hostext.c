/*
 * hostext.c - the host extensions, as this process performs them. See
 * hostext.h.
 */
#include "hostext.h"

#include <stdint.h>
#include <string.h>

#include <skill/ext/artifacts.h>
#include <skill/ext/config.h>
#include <skill/ext/http.h>
#include <skill/ext/secrets.h>

#include "artifacts.h"
#include "clientask.h"
#include "config.h"
#include "hostapi.h"
#include "httpsvc.h"
#include "oauthbroker.h"
#include "secrets.h"

/* skill.config/1: the operator's setting key for the asking skill. */
static int64_t config_get(const skill_host_t *host, const char *key, char *buf,
                          size_t cap)
{
	const struct hostapi_binding *b = hostapi_binding_of(host);
	const char *v;
	size_t n;

	if (!key)
		return -1;
	v = config_setting(b->svc ? b->svc->config : NULL, b->skill_name, key);
	if (!v)
		return -1;
	n = strlen(v);
	if (buf && cap) {
		size_t copy = n < cap - 1 ? n : cap - 1;
		memcpy(buf, v, copy);
		buf[copy] = '\0';
	}
	return (int64_t)n;
}

static const skill_ext_config_t config_ext = {
        .struct_size = sizeof(skill_ext_config_t),
        .get = config_get,
};

const void *hostext_lookup(const char *id)
{
	if (!id)
		return NULL;
	if (!strcmp(id, SKILL_EXT_CONFIG))
		return &config_ext;
	if (!strcmp(id, SKILL_EXT_ARTIFACTS))
		return &artifacts_ext;
	if (!strcmp(id, SKILL_EXT_SECRETS))
		return &oauthbroker_secrets_ext;
	if (!strcmp(id, SKILL_EXT_HTTP))
		return &httpsvc_ext;
	if (!strcmp(id, SKILL_EXT_ELICIT))
		return &clientask_elicit_ext;
	if (!strcmp(id, SKILL_EXT_SAMPLE))
		return &clientask_sample_ext;
	return NULL;
}
