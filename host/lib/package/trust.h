/*
 * trust.h - which publisher keys this host trusts, and for which namespaces.
 *
 * $HOME/trust.json lists keys: each a minisign public key (key id and
 * Ed25519 key) bound to one or more namespaces. A package is accepted only
 * when it is signed by a key trusted for its own namespace, so a key can
 * never publish over another publisher's names.
 *
 *   {"format": 1, "keys": [{"id": "9ab6f8e03f1d6a20",
 *                           "key": "RWQgah0/4Pi2mr...",
 *                           "namespaces": ["acme"], "added": 1764158400}]}
 */
#ifndef SH_TRUST_H
#define SH_TRUST_H

#include <stdint.h>
#include <time.h>

#include "minisig.h"
#include "status.h"

#define TRUST_FILE           "trust.json"
#define TRUST_MAX_KEYS       1024
#define TRUST_MAX_NAMESPACES 64

struct trust_key {
	struct minisig_pubkey pk;
	char id[MINISIG_KEYID_HEX_SIZE];
	char **namespaces;
	size_t nnamespaces;
	int64_t added;
};

struct trust {
	struct trust_key *keys;
	size_t n;
};

/* Load home/trust.json; missing is empty. *out owned by the caller. */
sh_status trust_load(const char *home, struct trust **out, struct sh_error *e);
void trust_free(struct trust *t);

/* The key with this id, or NULL. */
const struct trust_key *trust_find(const struct trust *t,
                                   const uint8_t key_id[MINISIG_KEYID_BYTES]);

/* 1 when k may sign packages of namespace ns ("acme" for "acme/x"). */
int trust_key_allows(const struct trust_key *k, const char *ns);

/* Trust pk for namespace ns (adding the namespace to a known key), under
 * the store lock, written atomically. */
sh_status trust_add(const char *home, const struct minisig_pubkey *pk,
                    const char *ns, struct sh_error *e);

/* Forget the key with id (16 hex digits). SH_ERR_NOTFOUND if unknown. */
sh_status trust_remove(const char *home, const char *id, struct sh_error *e);

#endif /* SH_TRUST_H */
