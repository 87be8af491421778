/*
 * tokens_recovery: FastAPI-Users' password-reset and verify tokens (see
 * tokens.h).  Both are HS256 with JWT_SECRET, whatever JWT_ALGORITHM
 * says, as FastAPI-Users signs them with its reset/verification secrets.
 *
 * The reset token's "password_fgpt" ties it to the password hash the user
 * has when it is issued, so it works once and dies with any password
 * change.  FastAPI-Users writes a password hash of the hash there (pwdlib's
 * Argon2id, or passlib's bcrypt), which makes forgot-password spend a full
 * Argon2 run for a known address and next to nothing for an unknown one:
 * a timing oracle for the very enumeration that answering 202 always is
 * meant to prevent.  We write "$fu-hmac$" and the base64url HMAC-SHA256 of
 * the hash under a key derived from JWT_SECRET instead: as binding, as
 * unforgeable (the key never leaves the server), and cheap on both sides.
 * A token the Python service issued before the switch-over still carries
 * its pwdlib/passlib fingerprint; those are checked with password_verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "jwt.h"
#include "password.h"
#include "tokens.h"
#include "tokens_int.h"
#include "users.h"

#define FGPT_PREFIX	"$fu-hmac$"
#define FGPT_KEY_LABEL	"fcgi-users password_fgpt v1"
#define FGPT_MAX	1024		/* bytes of a fingerprint we look at */

/* HMAC-SHA256 of the hash under HMAC-SHA256(JWT_SECRET, label). */
static char *
fingerprint(const struct tokens *t, const char *hashed_password)
{
	unsigned char	 key[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];
	size_t		 keylen = 0, maclen = 0, outlen;
	char		*b64, *out = NULL;

	if (t->secret == NULL ||
	    EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, t->secret,
	    strlen(t->secret), (const unsigned char *)FGPT_KEY_LABEL,
	    sizeof(FGPT_KEY_LABEL) - 1, key, sizeof(key), &keylen) == NULL ||
	    EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen,
	    (const unsigned char *)hashed_password, strlen(hashed_password),
	    mac, sizeof(mac), &maclen) == NULL)
		goto out;
	if ((b64 = jwt_b64url_encode(mac, maclen, &outlen)) == NULL)
		goto out;
	if ((out = malloc(sizeof(FGPT_PREFIX) + outlen)) != NULL) {
		memcpy(out, FGPT_PREFIX, sizeof(FGPT_PREFIX) - 1);
		memcpy(out + sizeof(FGPT_PREFIX) - 1, b64, outlen + 1);
	}
	free(b64);
out:
	OPENSSL_cleanse(key, sizeof(key));
	return out;
}

static enum tokens_err
sign_hs256(const struct tokens *t, struct json_object *o, char **out)
{
	enum tokens_err	 ret;

	if (t->recovery == NULL)
		ret = TOKENS_ECONFIG;
	else
		ret = jwt_sign(t->recovery, o, out) == JWT_OK ? TOKENS_OK :
		    TOKENS_ENOMEM;
	json_object_put(o);
	return ret;
}

enum tokens_err
tokens_reset_issue(const struct tokens *t, const struct user *u, int64_t now,
    char **out)
{
	struct json_object	*o;
	char			*fgpt;

	*out = NULL;
	if ((fgpt = fingerprint(t, u->hashed_password)) == NULL)
		return TOKENS_ENOMEM;
	/* FastAPI-Users' claims, in its order. */
	o = json_object_new_object();
	json_object_object_add(o, "sub", json_object_new_string(u->id));
	json_object_object_add(o, "password_fgpt", json_object_new_string(fgpt));
	json_object_object_add(o, "aud", json_object_new_string(TOKENS_RESET_AUDIENCE));
	json_object_object_add(o, "exp", json_object_new_int64(now +
	    TOKENS_RECOVERY_LIFETIME));
	free(fgpt);
	return sign_hs256(t, o, out);
}

enum tokens_err
tokens_verify_issue(const struct tokens *t, const struct user *u, int64_t now,
    char **out)
{
	struct json_object	*o;

	*out = NULL;
	o = json_object_new_object();
	json_object_object_add(o, "sub", json_object_new_string(u->id));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	json_object_object_add(o, "aud", json_object_new_string(TOKENS_VERIFY_AUDIENCE));
	json_object_object_add(o, "exp", json_object_new_int64(now +
	    TOKENS_RECOVERY_LIFETIME));
	return sign_hs256(t, o, out);
}

/*
 * Signature (HS256 only), audience and expiry; then "sub" as a UUID in any
 * form Python's UUID() takes, into sub; and the string claim `extra`,
 * strdup'ed into *value.
 */
static enum tokens_err
check_recovery(const struct tokens *t, const char *token, size_t len, int64_t now,
    const char *audience, const char *extra, size_t extra_max, char *sub,
    char **value)
{
	const struct jwt_key *const keys[1] = { t->recovery };
	struct jwt_verify_opts	 opts;
	struct json_object	*claims = NULL;
	const char		*s;
	enum tokens_err		 ret = TOKENS_EINVALID;

	*value = NULL;
	sub[0] = '\0';
	if (t->recovery == NULL)
		return TOKENS_ECONFIG;
	memset(&opts, 0, sizeof(opts));
	opts.keys = keys;
	opts.n_keys = 1;
	opts.now = now;
	opts.leeway = t->leeway;
	opts.audience = audience;
	if (jwt_verify(token, len, &opts, &claims) != JWT_OK)
		goto out;
	if (tokens_claim_sub(claims, sub) != 0) {
		sub[0] = '\0';
		goto out;
	}
	if (tokens_claim_str(claims, extra, 1, extra_max, &s) != 1) {
		sub[0] = '\0';
		goto out;
	}
	ret = (*value = strdup(s)) != NULL ? TOKENS_OK : TOKENS_ENOMEM;
out:
	json_object_put(claims);
	return ret;
}

enum tokens_err
tokens_reset_check(const struct tokens *t, const char *token, size_t len,
    int64_t now, char *sub, char **fgpt)
{
	return check_recovery(t, token, len, now, TOKENS_RESET_AUDIENCE,
	    "password_fgpt", FGPT_MAX, sub, fgpt);
}

enum tokens_err
tokens_verify_check(const struct tokens *t, const char *token, size_t len,
    int64_t now, char *sub, char **email)
{
	return check_recovery(t, token, len, now, TOKENS_VERIFY_AUDIENCE,
	    "email", USERS_EMAIL_MAX, sub, email);
}

int
tokens_reset_matches(const struct tokens *t, const char *fgpt,
    const char *hashed_password)
{
	struct password_params	 pp;
	char			*want;
	size_t			 n;
	int			 ok;

	if (fgpt == NULL || hashed_password == NULL || *hashed_password == '\0')
		return 0;
	if (strncmp(fgpt, FGPT_PREFIX, sizeof(FGPT_PREFIX) - 1) == 0) {
		if ((want = fingerprint(t, hashed_password)) == NULL)
			return 0;
		n = strlen(want);
		ok = strlen(fgpt) == n && CRYPTO_memcmp(fgpt, want, n) == 0;
		free(want);
		return ok;
	}
	/* FastAPI-Users' own: a password hash whose "password" is our hash.
	 * The parameters only matter for a rehash, which is not done here. */
	password_params_default(&pp);
	switch (password_verify(&pp, hashed_password, strlen(hashed_password), fgpt)) {
	case PASSWORD_OK:
	case PASSWORD_OK_REHASH:
		return 1;
	default:
		return 0;
	}
}
