/*
 * Every cap safepip puts on untrusted input, in one place.
 *
 * Each limit says what it protects against and why the number is what it
 * is. Hitting a limit is never a crash or a silent pass: the code that
 * enforces it reports a finding (archive and source caps) or returns
 * SP_ELIMIT with a diagnostic naming the limit.
 */
#ifndef SP_CORE_LIMITS_H
#define SP_CORE_LIMITS_H

/* --- archives (src/unpack) --- */

/*
 * Entries in one archive. The largest wheels among PyPI's most downloaded
 * packages hold a few tens of thousands of files; beyond this an archive is
 * an entry-count bomb meant to exhaust the scanner.
 */
#define SP_MAX_ENTRIES 100000

/*
 * Uncompressed bytes of one entry. Native libraries in machine-learning
 * wheels reach several hundred MiB; a bigger single file is refused. Only
 * entries that are scanned as text are held in memory (see
 * SP_MAX_SOURCE_BYTES); others are streamed through the hash.
 */
#define SP_MAX_ENTRY_BYTES (2048LL * 1024 * 1024)

/* Uncompressed bytes of a whole archive, the sum over its entries. */
#define SP_MAX_TOTAL_BYTES (8LL * 1024 * 1024 * 1024)

/*
 * Expansion ratio (uncompressed / compressed bytes read so far) above which
 * an archive is a decompression bomb. Source and binaries compress 2-10x;
 * ratios above 200 come from runs of identical bytes, which is what bombs
 * are made of. Enforced only once SP_RATIO_MIN_BYTES have been produced, so
 * a small file of zeros in a package is not flagged.
 */
#define SP_MAX_RATIO 200
#define SP_RATIO_MIN_BYTES (32LL * 1024 * 1024)

/* Bytes in one path inside an archive; Linux's PATH_MAX. */
#define SP_MAX_PATH 4096

/* Directory depth of one path inside an archive. */
#define SP_MAX_PATH_DEPTH 64

/*
 * Archives inside archives (a wheel vendored in an sdist, a zip inside a
 * wheel) are opened and scanned to this depth; deeper ones are a finding.
 */
#define SP_MAX_NESTING 3

/* Bytes of a nested archive held in memory so it can be opened. */
#define SP_MAX_NESTED_BYTES (256LL * 1024 * 1024)

/* Files walked in one directory target (same reason as SP_MAX_ENTRIES). */
#define SP_MAX_DIR_FILES 500000

/* --- source scanning (src/scan) --- */

/*
 * Bytes of one source or metadata file held in memory and parsed. Generated
 * modules in popular packages reach a few MiB; a file larger than this is
 * not parsed and is reported, since it can hide anything.
 */
#define SP_MAX_SOURCE_BYTES (16 * 1024 * 1024)

/* Time tree-sitter may spend parsing one file before it is abandoned. */
#define SP_PARSE_TIMEOUT_US (10ULL * 1000 * 1000)

/* Time the rule query may spend on one file. */
#define SP_QUERY_TIMEOUT_US (10ULL * 1000 * 1000)

/*
 * In-progress matches the query cursor keeps; bounds memory on pathological
 * trees (tree-sitter drops the oldest and flags the overflow).
 */
#define SP_QUERY_MATCH_LIMIT 4096

/* Findings kept per file; the rest are counted in one summary finding. */
#define SP_MAX_FINDINGS_PER_FILE 200

/* Bytes of source shown as a finding's snippet. */
#define SP_MAX_SNIPPET 200

/* Names bound by imports in one file (the per-file import table). */
#define SP_MAX_IMPORTS 4096

/*
 * Bytes of source waiting in the scan queue. Reading is far faster than
 * scanning, so a short queue keeps every worker busy; a longer one only
 * adds memory. A single file larger than this still goes through alone.
 */
#define SP_MAX_QUEUED_BYTES (16LL * 1024 * 1024)

/* --- policy files (src/policy) --- */

/*
 * Bytes of one policy file. A team's policy with hundreds of exceptions
 * is tens of KiB; a larger file is a mistake or an attack on the loader.
 */
#define SP_MAX_POLICY_BYTES (1024 * 1024)

/*
 * Nesting of arrays and objects in a policy file. The format needs four
 * levels; the cap is checked before cJSON (which recurses) sees the text.
 */
#define SP_MAX_POLICY_DEPTH 16

/*
 * Entries in one list or map of one policy file (rules, packages,
 * exceptions...). Bounds the work of merging layers and of evaluation,
 * which is linear in the entries per package.
 */
#define SP_MAX_POLICY_ENTRIES 10000

/* Bytes of one string in a policy file (a name, a reason, a URL). */
#define SP_MAX_POLICY_STRING 2048

/* Names in the popular-package list the typosquatting check guards. */
#define SP_MAX_POPULAR_NAMES 100000

#endif
