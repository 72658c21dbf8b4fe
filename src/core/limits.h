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

/* --- literal, Unicode and image checks (src/scan/text.c, engine.c, checks.c) --- */

/*
 * String literals shorter than this are not judged by their entropy: short
 * tokens, hashes and keys are honest, and an embedded payload worth hiding
 * is longer (the smallest useful base64 stager is a few hundred bytes).
 */
#define SP_ENTROPY_MIN_LEN 320

/*
 * Bytes of one literal whose entropy is measured; a longer one is judged
 * by its first part, so a 16 MiB literal costs no more than this.
 */
#define SP_ENTROPY_MAX_BYTES (64 * 1024)

/*
 * Findings of one Unicode rule (bidirectional controls, invisible or
 * confusable characters) per file. One proves the file was touched; a file
 * of thousands would otherwise crowd out every other finding.
 */
#define SP_MAX_UNICODE_FINDINGS 20

/*
 * Distinct items (callees, variables, modules, hosts) a package's capability
 * summary keeps per capability; the findings themselves are all listed.
 */
#define SP_MAX_CAPABILITY_ITEMS 100

/* Bytes of a literal (URL, module, variable name) kept as a capability's detail. */
#define SP_MAX_CAPABILITY_DETAIL 160

/*
 * Distinct capability details kept per file: a generated client with
 * thousands of endpoints says what it is with the first ones.
 */
#define SP_MAX_CAPABILITY_PER_FILE 200

/*
 * Chunks walked in one PNG before its end is given up on; a real image
 * has a few dozen, and each step is bounded by the buffer anyway.
 */
#define SP_MAX_PNG_CHUNKS 100000

/*
 * Bytes appended after an image's end that are looked at for code: enough
 * to find a stager's markers, bounded so a huge trailer costs little.
 */
#define SP_STEGO_MAX_TRAILER (1024 * 1024)

/*
 * A run of base64 characters this long in data appended to an image is an
 * encoded payload; shorter runs occur by chance in binary data.
 */
#define SP_STEGO_MIN_BASE64 120

/* --- configuration (src/resolve/pipconf.c) --- */

/*
 * Bytes of one pip configuration file. Real ones are a few lines; a bigger
 * file is a mistake (or /dev/zero) and is refused rather than read.
 */
#define SP_MAX_CONFIG_BYTES (1024 * 1024)

/*
 * Sections and settings in one pip configuration file. Duplicates are
 * looked for by a linear search, so this also bounds that work.
 */
#define SP_MAX_CONFIG_ITEMS 4096

/* --- package indexes (src/resolve/index.c) --- */

/*
 * Bytes of one index page. PyPI's largest project pages (botocore, with
 * thousands of releases) are a few MiB of JSON; 64 MiB leaves room for
 * mirrors that pretty-print, and stops an endless page.
 */
#define SP_MAX_INDEX_PAGE_BYTES (64LL * 1024 * 1024)

/* Files listed on one index page; PyPI's largest list tens of thousands. */
#define SP_MAX_INDEX_FILES 250000

/* --- resolution (src/resolve/resolver.c) --- */

/*
 * Rounds of the backtracking resolver (one pin or one back-jump each).
 * pip gives up after the same number; a graph that needs more is one
 * where the user must pin versions.
 */
#define SP_MAX_RESOLVE_ROUNDS 200000

/* --- downloads (src/fetch) --- */

/*
 * Bytes of one index page or metadata file held in memory. PyPI's largest
 * simple pages (projects with tens of thousands of files) are a few tens of
 * MiB of JSON; anything larger is a server trying to exhaust memory. The
 * cap counts decoded bytes, so a gzip or brotli bomb stops here too.
 */
#define SP_FETCH_MAX_PAGE_BYTES (64LL * 1024 * 1024)

/*
 * Bytes of one downloaded artifact. The largest wheels on PyPI (CUDA builds
 * of machine-learning libraries) are around 2.5 GiB; a body past this cap is
 * aborted as soon as it crosses it, or before it starts when Content-Length
 * says so.
 */
#define SP_FETCH_MAX_ARTIFACT_BYTES (4LL * 1024 * 1024 * 1024)

/*
 * Redirects followed for one request. Indexes redirect once or twice (to a
 * CDN, or to add a trailing slash); a longer chain is a loop or a server
 * walking the client around.
 */
#define SP_FETCH_MAX_REDIRECTS 10

/*
 * Bytes of a URL safepip will request or report. Index URLs with a file
 * name and a hash fragment stay well under 1 KiB; a longer one is refused
 * rather than passed to libcurl and into messages.
 */
#define SP_FETCH_MAX_URL 8192

/*
 * Seconds a server's Retry-After is honoured. pip has no cap; an index
 * asking for minutes would stall an install with no output, so the wait is
 * cut to this and the retry is made anyway (it fails if the server still
 * refuses).
 */
#define SP_FETCH_MAX_RETRY_AFTER_S 60

/* Upper bound of one exponential back-off delay between retries, in ms. */
#define SP_FETCH_MAX_BACKOFF_MS (30 * 1000)

/* Retries of one request (pip's --retries defaults to 5). */
#define SP_FETCH_MAX_RETRIES 20

/* Parallel transfers in total and per host (the options are clamped). */
#define SP_FETCH_MAX_PARALLEL 64

/*
 * Bytes of one response header value kept (Content-Type, ETag,
 * Last-Modified). Real values are under 200 bytes; libcurl itself caps a
 * whole header line at 100 KiB.
 */
#define SP_FETCH_MAX_HEADER_VALUE 1024

/*
 * Bytes of the text part of an HTTP cache entry file (everything before the
 * body): a URL, an Accept value and three header values with their keys.
 */
#define SP_HTTPCACHE_MAX_META (SP_FETCH_MAX_URL + 8 * SP_FETCH_MAX_HEADER_VALUE)

/*
 * Entries under the store's tmp/ directory inspected per cleanup, so a
 * directory filled by something else cannot make start-up slow.
 */
#define SP_STORE_MAX_TMP_SCAN 10000

/* --- target environment and delegate (src/delegate) --- */

/*
 * Bytes of JSON the target interpreter may print about itself. A real
 * answer is a few tens of KiB (about a thousand wheel tags); the cap bounds
 * memory against an interpreter (or a shim in front of it) that prints
 * without end.
 */
#define SP_MAX_PROBE_OUTPUT (4 * 1024 * 1024)

/* Milliseconds the target interpreter may take to answer (a cold start on slow disks). */
#define SP_PROBE_TIMEOUT_MS (60 * 1000)

/* Wheel tags accepted from the target; CPython on a recent glibc has about 1000. */
#define SP_MAX_TAGS 20000

/* Bytes of one string in the target's answer (a path, a tag, a marker value). */
#define SP_MAX_FACT_BYTES 4096

/*
 * Bytes read from the start of an installed METADATA or PKG-INFO file for
 * its Name and Version headers. They come first in every writer's output;
 * the description that may follow is not needed.
 */
#define SP_MAX_METADATA_HEAD (64 * 1024)

/* Distributions read from the target's site directories. */
#define SP_MAX_INSTALLED 100000

/* Bytes of pyvenv.cfg read; real ones hold five short lines. */
#define SP_MAX_PYVENV_CFG (64 * 1024)

/* Artifacts in one lock file (a resolved set far larger than any real project). */
#define SP_MAX_LOCK_ITEMS 10000

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

/* --- requirements, versions and metadata (src/req) --- */

/*
 * Bytes of one version string, surrounding whitespace excluded. The longest
 * versions on PyPI (date stamps with local labels) stay under 100 bytes;
 * this bounds the fixed-size struct sp_version and its canonical text.
 */
#define SP_MAX_VERSION_LEN 256

/*
 * Numbers in a release segment ("1.2.3" has three). Real projects use at
 * most five or six; the cap keeps struct sp_version a fixed size.
 */
#define SP_MAX_VERSION_SEGMENTS 32

/* Clauses in one specifier set (">=1,<2,!=1.5" has three). */
#define SP_MAX_SPECIFIERS 64

/*
 * Bytes of one PEP 508 requirement or marker. A direct URL with a long
 * query and a marker fits in a few KiB; the cap bounds parser work.
 */
#define SP_MAX_REQUIREMENT_LEN (16 * 1024)

/*
 * Parentheses nested in one marker. The parser recurses once per level;
 * real markers nest two or three deep.
 */
#define SP_MAX_MARKER_DEPTH 32

/* Extras named in one requirement ("pkg[a,b]" has two). */
#define SP_MAX_EXTRAS 128

/*
 * Bytes of one requirements file. Fully hashed locks of large
 * environments reach a few MiB (one line per wheel hash); beyond this the
 * file is not a requirements file a person or tool wrote.
 */
#define SP_MAX_REQFILE_BYTES (16 * 1024 * 1024)

/*
 * Bytes of one logical line of a requirements file, after backslash
 * continuations are joined and ${VAR} references expanded. Bounds the
 * growth an environment value repeated many times on a line can cause.
 */
#define SP_MAX_REQFILE_LINE (1024 * 1024)

/*
 * Depth of -r/-c includes. pip has no cap of its own (it stops at Python's
 * recursion limit); real projects nest two or three levels.
 */
#define SP_MAX_REQFILE_DEPTH 16

/*
 * Requirements files read for one top-level file, includes counted each
 * time they are read: a file may include the same file many times, and
 * without this cap a short chain of such files reads exponentially many.
 */
#define SP_MAX_REQFILE_FILES 1024

/* Entries (requirement lines) kept from one set of requirements files. */
#define SP_MAX_REQFILE_ENTRIES 100000

/* --hash values on one requirement: one per file of a release, at most. */
#define SP_MAX_REQFILE_HASHES 1024

/*
 * Bytes of one METADATA or PKG-INFO file. The headers are small; the body
 * is the long description, which some projects make a whole manual.
 */
#define SP_MAX_METADATA_BYTES (16 * 1024 * 1024)

/*
 * Header lines in one metadata file. Large projects list a few hundred
 * Requires-Dist and Classifier lines.
 */
#define SP_MAX_METADATA_HEADERS 10000

/*
 * Bytes of one header value, folded lines included: a License field that
 * holds a whole licence text reaches tens of KiB.
 */
#define SP_MAX_METADATA_VALUE (256 * 1024)

/*
 * Bytes of a distribution file name. Wheel names with compressed platform
 * tag sets reach about 200 bytes; file systems stop at 255.
 */
#define SP_MAX_FILENAME_LEN 1024

/* Tag triples a wheel file name expands to (python x abi x platform). */
#define SP_MAX_WHEEL_TAGS 1024

/* --- vulnerability and malware advisories (src/advisory) --- */

/*
 * Bytes of the OSV zip downloaded or read for a sync. PyPI's all.zip is a
 * few tens of MiB; a mirror could grow it several times over, and past this
 * it is a server trying to exhaust memory (the zip is read in memory).
 */
#define SP_MAX_ADVISORY_ZIP_BYTES (1024LL * 1024 * 1024)

/*
 * Bytes of one OSV record. Records are a few KiB; the largest list every
 * affected version of a project with thousands of releases, a few hundred
 * KiB. cJSON holds the whole record, so this bounds its memory too.
 */
#define SP_MAX_OSV_RECORD_BYTES (8 * 1024 * 1024)

/*
 * Records (zip entries) in one sync. PyPI has about 20,000 advisories;
 * the cap stops an entry-count bomb well above any real growth.
 */
#define SP_MAX_ADVISORY_RECORDS 1000000

/*
 * Uncompressed bytes over all records of one sync. Bounds the work of a
 * zip whose entries are each under SP_MAX_OSV_RECORD_BYTES but many.
 */
#define SP_MAX_ADVISORY_TOTAL_BYTES (4LL * 1024 * 1024 * 1024)

/*
 * Items in one list of one record: aliases, affected packages, ranges,
 * events of a range, explicit versions, severities. Real lists stay under
 * a few thousand (explicit versions of long-lived projects).
 */
#define SP_MAX_OSV_ITEMS 100000

/*
 * Range events of one affected package in one record. Real records have a
 * handful; matching sorts them and, to find the first fixed version, runs
 * them once per fixed event, so this bounds that quadratic work.
 */
#define SP_MAX_OSV_EVENTS 2048

/*
 * Bytes of one string kept from a record (an id, a version, a vector, a
 * summary). Longer summaries are cut, longer ids and versions refuse the
 * record: no real one comes near.
 */
#define SP_MAX_OSV_STRING 4096

/*
 * Nesting of arrays and objects in one record; the schema needs five.
 * Checked before cJSON (which recurses) parses the text.
 */
#define SP_MAX_OSV_DEPTH 64

/* Records named in a sync's report of bad records (the rest are counted). */
#define SP_MAX_ADVISORY_BAD_SHOWN 5

/* --- static metadata of sdists and their builds (src/resolve) --- */

/*
 * Bytes of a pyproject.toml read for [project] and [build-system]. Real
 * ones are a few KiB; tool sections with long lists reach a few hundred.
 */
#define SP_MAX_PYPROJECT_BYTES (1024 * 1024)

/*
 * Strings in one requirement list (dependencies, an extra, build
 * requirements, setup.py's install_requires) and extras in one file. The
 * largest projects list a few hundred.
 */
#define SP_MAX_PYPROJECT_LIST 10000

/*
 * Parts of one dotted TOML key. The keys read have at most three
 * (project.optional-dependencies.NAME); tool sections nest a few more.
 */
#define SP_MAX_TOML_KEY_PARTS 64

/* Time tree-sitter may spend on one pyproject.toml: microseconds. */
#define SP_TOML_PARSE_TIMEOUT_US (2 * 1000 * 1000)

/*
 * Bytes of a setup.py read for literal install_requires. Generated
 * setup.py files with embedded data reach a few hundred KiB; past the cap
 * the dependencies are "unknown", which stops the install with a way out.
 */
#define SP_MAX_SETUPPY_BYTES (2 * 1024 * 1024)

/* Time tree-sitter may spend on one setup.py: microseconds. */
#define SP_SETUPPY_PARSE_TIMEOUT_US (3 * 1000 * 1000)

/*
 * Syntax nodes visited while looking for setup()'s call in one setup.py: a
 * bound on the walk whatever the tree's shape (a 2 MiB file has at most a
 * few million nodes).
 */
#define SP_MAX_SETUPPY_NODES (8 * 1024 * 1024)

/*
 * Nesting of build environments: building an sdist may need a build
 * requirement that is itself an sdist, whose build needs another... pip
 * has no bound; real chains stop at two (setuptools from an sdist).
 */
#define SP_MAX_BUILD_DEPTH 4

/* Sdists whose build requirements one command resolves (each one build environment). */
#define SP_MAX_BUILD_ENVS 256

/* --- the verdict cache and cache maintenance (src/cache) --- */

/*
 * Bytes of one verdict cache entry (an artifact's encoded findings). A
 * large package with many findings encodes to a few MiB; an entry past this
 * is not stored (the artifact is scanned each time) and a stored one past
 * it is not read, so an edited database cannot make safepip allocate
 * without bound.
 */
#define SP_VCACHE_MAX_PAYLOAD (64 * 1024 * 1024)

/*
 * Bytes of one text field of an entry (name, path, snippet, detail).
 * Paths nest up to SP_MAX_NESTING archives of SP_MAX_PATH each; details
 * are a line or two. A longer field means the entry was not written by
 * safepip.
 */
#define SP_VCACHE_MAX_FIELD (1024 * 1024)

/*
 * How long a process waits for another one's write to the verdict
 * database before it gives up on that lookup or store (a miss or a skipped
 * store, never a failure). Writes take milliseconds; this covers a busy
 * machine and a slow disk.
 */
#define SP_VCACHE_BUSY_MS (10 * 1000)

/*
 * The longest duration `safepip cache prune --older-than` accepts: a
 * century, so the cut-off time cannot overflow.
 */
#define SP_CACHE_MAX_AGE_S (100LL * 366 * 24 * 3600)

/* --- a wheel's METADATA read by HTTP range requests (resolve/rangezip.h) --- */

/*
 * The first request asks for this many bytes at the end of the file. The
 * zip reader looks for the end-of-central-directory record in the last
 * 64 KiB + 42 bytes; a wheel's central directory and its .dist-info files
 * (written last) usually fit in the rest, so one request often suffices.
 */
#define SP_RANGE_TAIL_BYTES (128 * 1024)

/*
 * Wheels smaller than this are fetched whole for their metadata: two or
 * three range requests cost about as much time, and a whole file is kept
 * in the store for the install, where a ranged one must be fetched again.
 */
#define SP_RANGE_MIN_FILE_BYTES (1024 * 1024)

/*
 * Rounds of range requests for one wheel: the tail, the rest of the
 * central directory, the METADATA entry, and one more for an unusually
 * long local header. Past this the whole file is fetched.
 */
#define SP_RANGE_MAX_ROUNDS 4

/*
 * Ranges stop paying once they add up to this share of the file (in
 * percent), or twice the tail for a small one: the whole file is fetched
 * instead.
 */
#define SP_RANGE_MAX_SHARE_PCT 50

/*
 * Bytes of one wheel held in memory from range requests, in all: a
 * central directory of 100,000 entries is about 10 MiB, and METADATA is at
 * most SP_MAX_METADATA_BYTES. A server claiming more (a huge directory or
 * entry) gets the whole file fetched into the store instead, on disk.
 */
#define SP_RANGE_MAX_BYTES (32 * 1024 * 1024)

/*
 * Bytes asked for past a METADATA entry's compressed data, for its local
 * header's file name and extra field, whose length only the local header
 * says.
 */
#define SP_RANGE_SLACK_BYTES (16 * 1024)

#endif
