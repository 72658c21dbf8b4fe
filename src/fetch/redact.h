/*
 * Credentials out of every message. URLs may carry user:password (pip
 * accepts them in --index-url, and indexes echo them back in links);
 * nothing safepip prints, logs or stores may contain the secret part.
 *
 * Every function returns a new string the caller frees with free().
 */
#ifndef SP_FETCH_REDACT_H
#define SP_FETCH_REDACT_H

/*
 * "https://user:secret@host/x" becomes "https://user:****@host/x". A user
 * part without a password is taken to be a token and masked whole, as pip
 * does ("https://tok@host/" keeps only "****" before the '@'). A string
 * that is not "scheme://..." is returned unchanged.
 */
char *sp_redact_url(const char *url);

/* The same for every "scheme://userinfo@" found in free text. */
char *sp_redact_text(const char *text);

/* The URL without its userinfo at all: "https://host/x" (for cache keys). */
char *sp_url_strip_userinfo(const char *url);

#endif
