/*
 * cli.c - shared program edges; see cli.h.
 */
#include "lib/util/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"

const char *cli_config_path(const char *opt)
{
	const char *env = getenv("VQR_CONFIG");
	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	if (access("vqr.yaml", F_OK) == 0)
		return "vqr.yaml";
	return "/etc/vqr/vqr.yaml";
}

#ifndef VQR_DATADIR
#define VQR_DATADIR "/usr/local/share/vqr"
#endif

/* Does dir hold vqr's config/ (the shipped catalogs)? */
static int has_config(const char *dir)
{
	char p[PATH_MAX];

	return fmt_fits(p, sizeof p, "%s/config/catalog.yaml", dir) == 0 && access(p, R_OK) == 0;
}

const char *cli_datadir(void)
{
	static char dir[PATH_MAX];
	char self[PATH_MAX], *slash;
	const char *env = getenv("VQR_DATADIR");
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')))
			*slash = '\0';
		if (fmt_fits(dir, sizeof dir, "%s/../share/vqr", self) == 0 && has_config(dir))
			return dir;
		if (fmt_fits(dir, sizeof dir, "%s/../..", self) == 0 && has_config(dir))
			return dir;
	}
	return VQR_DATADIR;
}

void cli_init_process(void)
{
	signal(SIGXFSZ, SIG_IGN);
	umask(077);
}

long long cli_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cli_mkdirs(const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path);
	struct stat st;
	char *buf;

	if (n == 0 || n >= 4096)
		return err_set(err, errlen, "%s: bad directory name", path);
	buf = xstrdup(path);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
			err_set(err, errlen, "%s: cannot create directory: %s", buf, strerror(errno));
			free(buf);
			return -1;
		}
		*p = c;
		if (!c)
			break;
	}
	free(buf);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(err, errlen, "%s: not a directory", path);
	return 0;
}

/* What kind of file mode is, for messages. */
static const char *file_kind(mode_t mode)
{
	return S_ISLNK(mode) ? "a symbolic link" : S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO"
	     : S_ISSOCK(mode) ? "a socket" : S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : "not a plain file";
}

/* "path: not a regular file (a FIFO) ..." into err, for a file of mode. */
static void not_regular(const char *path, mode_t mode, char *err, size_t errlen)
{
	err_set(err, errlen, "%s: not a regular file (%s): only regular files are read%s", path, file_kind(mode),
		 S_ISLNK(mode) ? "\nhint: copy the export itself into the inbox, not a link to it" : "");
}

int cli_not_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode))
		return 0;
	not_regular(path, st.st_mode, err, errlen);
	return 1;
}

int cli_open_input(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		if (errno == ELOOP || errno == ENXIO || errno == EISDIR)
			cli_not_regular(path, err, errlen);
		else
			err_set(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		not_regular(path, st.st_mode, err, errlen);
		close(fd);
		return -1;
	}
	/* Reads of a regular file never block: back to ordinary reads. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

const char *cli_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int cli_print_version(const char *prog)
{
	printf("%s (vqr) %s\n", prog, VQR_VERSION);
	return cli_finish_stdout(EXIT_OK);
}

int cli_finish_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write standard output: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	return status;
}

int cli_std_option(int ch, const char *arg, const char *prog, void (*usage)(FILE *), const char **config)
{
	char err[ERR_MAX];

	switch (ch) {
	case 'c':
		*config = arg;
		return CLI_GO_ON;
	case 'L':
		if (log_open_file(arg, err, sizeof err) < 0) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
		return CLI_GO_ON;
	case 'v':
		log_set_verbose(1);
		return CLI_GO_ON;
	case 'h':
		usage(stdout);
		return cli_finish_stdout(EXIT_OK);
	case 'V':
		return cli_print_version(prog);
	case '?':
	case ':':
		log_hint("try \"%s --help\"", prog);
		return EXIT_USAGE;
	}
	return CLI_NOT_MINE;
}

/* The options every program shares (cli_std_option's). */
static const struct option std_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "log", required_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
};
#define STD_SHORTOPTS "c:vL:hV"

int cli_parse(int argc, char **argv, const cli_parser *p, void *ctx, const char **config)
{
	enum { NSTD = sizeof std_longopts / sizeof std_longopts[0] };
	struct option all[CLI_MAX_OWN + NSTD + 1] = { { 0 } };
	char *shortopts = xasprintf("%s" STD_SHORTOPTS, p->shortopts);
	size_t n = 0;
	int ch, rc = CLI_GO_ON;

	while (n < CLI_MAX_OWN && p->longopts[n].name)
		n++;
	memcpy(all, p->longopts, n * sizeof all[0]);
	memcpy(all + n, std_longopts, sizeof std_longopts);
	while (rc == CLI_GO_ON && (ch = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
		if ((rc = p->own(ch, optarg, ctx)) == CLI_NOT_MINE)
			rc = cli_std_option(ch, optarg, p->prog, p->usage, config);
		if (rc == CLI_NOT_MINE)
			rc = EXIT_USAGE;
	}
	free(shortopts);
	if (rc == CLI_GO_ON && p->operand && cli_one_operand(argc, argv, optind, p->prog, p->operand))
		rc = EXIT_USAGE;
	return rc;
}

int cli_one_operand(int argc, char **argv, int optind, const char *prog, const char *what)
{
	(void)argv;
	if (optind == argc - 1)
		return 0;
	if (optind >= argc)
		log_error("no %s given", what);
	else
		log_error("only one %s at a time", what);
	log_hint("try \"%s --help\"", prog);
	return EXIT_USAGE;
}
