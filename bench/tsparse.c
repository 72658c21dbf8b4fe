/*
 * sp-tsparse: the per-core ceiling for safepip's scan throughput.
 *
 * Walks the given directories (and .py files), reads every *.py file and
 * parses it with tree-sitter-python: one parser, one thread, nothing else.
 * The parser, grammar and compiler flags are those of the main build, so
 * "safepip scan -j 1" MB/s divided by this MB/s is the share of the bare
 * parse throughput that the scan engine keeps (ARCHITECTURE.md section 7).
 *
 * Output is one "key value" pair per line, for people and for
 * bench/scan-vs-bandit.sh alike. MB is 10^6 bytes. parse_seconds times
 * ts_parser_parse_string alone (CLOCK_MONOTONIC); total_seconds also
 * counts walking, reading and freeing the trees.
 *
 * Symbolic links are not followed, as safepip does not follow them.
 *
 * exit status: 0 all files parsed, 1 a file or directory could not be read
 * (or there were no files), 2 bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_python(void);

/* Larger files are skipped as unreadable; safepip's own limit is far lower. */
#define MAX_FILE_BYTES (1024u * 1024u * 1024u)

struct run {
	TSParser *parser;
	char *buf;
	size_t cap;
	uint64_t files, bytes, error_trees, failures;
	double parse_seconds;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_py(const char *name)
{
	size_t n = strlen(name);

	return n >= 3 && memcmp(name + n - 3, ".py", 3) == 0;
}

static void failed(struct run *r, const char *what, const char *path, int err)
{
	fprintf(stderr, "sp-tsparse: cannot %s '%s': %s\n", what, path, strerror(err));
	r->failures++;
}

/* Reads the whole file into r->buf; returns its length, or -1. */
static long long read_file(struct run *r, const char *path)
{
	struct stat st;
	size_t len = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		failed(r, "open", path, errno);
		return -1;
	}
	if (fstat(fd, &st)) {
		failed(r, "stat", path, errno);
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size >= MAX_FILE_BYTES) {
		failed(r, "parse", path, EFBIG);
		close(fd);
		return -1;
	}
	for (;;) {
		if (len == r->cap) {
			size_t ncap = r->cap ? r->cap * 2 : 1u << 20;
			char *nbuf;

			if (ncap < (size_t)st.st_size + 1)
				ncap = (size_t)st.st_size + 1;
			if (ncap > MAX_FILE_BYTES || !(nbuf = realloc(r->buf, ncap))) {
				failed(r, "read", path, ENOMEM);
				close(fd);
				return -1;
			}
			r->buf = nbuf;
			r->cap = ncap;
		}
		got = read(fd, r->buf + len, r->cap - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			failed(r, "read", path, errno);
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	return (long long)len;
}

static void parse_file(struct run *r, const char *path)
{
	long long len = read_file(r, path);
	TSTree *tree;
	double t0, t1;

	if (len < 0)
		return;
	t0 = now();
	tree = ts_parser_parse_string(r->parser, NULL, r->buf, (uint32_t)len);
	t1 = now();
	r->parse_seconds += t1 - t0;
	if (!tree) {
		fprintf(stderr, "sp-tsparse: tree-sitter returned no tree for '%s'\n", path);
		ts_parser_reset(r->parser);
		r->failures++;
		return;
	}
	if (ts_node_has_error(ts_tree_root_node(tree)))
		r->error_trees++;
	ts_tree_delete(tree);
	r->files++;
	r->bytes += (uint64_t)len;
}

static void walk(struct run *r, const char *dirpath)
{
	DIR *dir = opendir(dirpath);
	struct dirent *de;
	struct stat st;
	char *path;
	size_t dlen = strlen(dirpath), nlen;

	if (!dir) {
		failed(r, "open directory", dirpath, errno);
		return;
	}
	for (;;) {
		errno = 0;
		if (!(de = readdir(dir))) {
			if (errno)
				failed(r, "read directory", dirpath, errno);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		nlen = strlen(de->d_name);
		if (!(path = malloc(dlen + nlen + 2))) {
			failed(r, "walk", dirpath, ENOMEM);
			break;
		}
		memcpy(path, dirpath, dlen);
		path[dlen] = '/';
		memcpy(path + dlen + 1, de->d_name, nlen + 1);
		if (lstat(path, &st))
			failed(r, "stat", path, errno);
		else if (S_ISDIR(st.st_mode))
			walk(r, path);
		else if (S_ISREG(st.st_mode) && is_py(de->d_name))
			parse_file(r, path);
		free(path);
	}
	closedir(dir);
}

static void usage(FILE *out)
{
	fputs("usage: sp-tsparse DIR|FILE.py...\n"
	      "\n"
	      "Parse every *.py file below the given directories with tree-sitter-python\n"
	      "(one parser, one thread) and print the bare parse throughput. MB is 10^6\n"
	      "bytes; parse_seconds counts ts_parser_parse_string only, total_seconds also\n"
	      "walking, reading and freeing. Symbolic links are not followed.\n",
	      out);
}

int main(int argc, char **argv)
{
	struct run r = {0};
	struct stat st;
	double t0, total;
	int i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	r.parser = ts_parser_new();
	if (!r.parser || !ts_parser_set_language(r.parser, tree_sitter_python())) {
		fputs("sp-tsparse: tree-sitter-python does not match this tree-sitter library\n", stderr);
		return 1;
	}

	t0 = now();
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st))
			failed(&r, "stat", argv[i], errno);
		else if (S_ISDIR(st.st_mode))
			walk(&r, argv[i]);
		else
			parse_file(&r, argv[i]);
	}
	total = now() - t0;

	ts_parser_delete(r.parser);
	free(r.buf);

	printf("files %llu\n", (unsigned long long)r.files);
	printf("bytes %llu\n", (unsigned long long)r.bytes);
	printf("error_trees %llu\n", (unsigned long long)r.error_trees);
	printf("parse_seconds %.6f\n", r.parse_seconds);
	printf("total_seconds %.6f\n", total);
	printf("parse_MB_per_s %.2f\n", r.parse_seconds > 0 ? (double)r.bytes / 1e6 / r.parse_seconds : 0.0);
	printf("total_MB_per_s %.2f\n", total > 0 ? (double)r.bytes / 1e6 / total : 0.0);
	if (fflush(stdout)) {
		fprintf(stderr, "sp-tsparse: cannot write the results: %s\n", strerror(errno));
		return 1;
	}
	if (r.failures) {
		fprintf(stderr, "sp-tsparse: %llu file(s) or director(ies) could not be read\n",
			(unsigned long long)r.failures);
		return 1;
	}
	if (!r.files) {
		fputs("sp-tsparse: no *.py files found\n", stderr);
		return 1;
	}
	return 0;
}
