/*
 * runfile.h - what `vqr run` does with one file of the inbox: take it
 * when ready, skip it when loaded before, run the three stages on it in a
 * staging directory of its own (the transform and the load following
 * the extract), then archive it, or quarantine it (unrecognised,
 * unreadable, held back, blocked), or leave it in the inbox (a stage
 * failed).  The tally counts what happened to each file, for the run's
 * summary.
 */
#ifndef VQR_RUNFILE_H
#define VQR_RUNFILE_H

#include <stddef.h>
#include <time.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "pipeline/notice.h"
#include "pipeline/stagesrv.h"

/* What happened to one inbox file, for the summary. */
typedef struct fileres {
	char name[512];         /* base name in the inbox */
	const char *status;     /* loaded, already_loaded, quarantined, held, waiting, would_load, changed, failed */
	char reason[1024];      /* why quarantined or failed (first line) */
	long long rows_read;    /* data rows read */
	long long rows_rejected; /* rows rejected */
	long long batch_id;     /* batch that loaded it (or that already had it) */
	notice_file *nf;        /* loaded or blocked: coverage and findings (owned), else NULL */
	char source[64];        /* its source, once recognised ("" before); a workbook
				   read as parts: its first part's */
	char sources[256];      /* a workbook read as parts: every part's source, once
				   each, in order, comma-separated; else "" */
	long long ms;           /* wall time the run spent on it */
	long long extract_ms;   /* vqr-extract's wall time (its manifest), -1 unknown */
	long long transform_ms; /* vqr-transform's wall time (its manifest), -1 unknown */
} fileres;

/* The stage servers of a run (stagesrv.h): every file's stages are jobs
 * of these three. */
typedef struct runfile_servers {
	stagesrv x;             /* vqr-extract */
	stagesrv t;             /* vqr-transform */
	stagesrv l;             /* vqr-load */
} runfile_servers;

/* Set up the three servers of a run of configuration config (kept, not
 * copied; none started yet). */
void runfile_servers_init(runfile_servers *s, const char *config);

/* Start the extract's and the transform's servers before their first
 * jobs (when the inbox has files), so that their starts overlap the
 * driver's connecting; one that does not start is started, or reported,
 * at its first job.  The load's starts at its first job, once the
 * database is known. */
void runfile_servers_prestart(runfile_servers *s);

/* End the three servers of a run (side by side, then waited for). */
void runfile_servers_close(runfile_servers *s);

/* The counts of a run, and each file's result. */
typedef struct tally {
	int loaded;             /* files loaded (or that would be, dry run) */
	int skipped;            /* files loaded before */
	int quarantined;        /* files quarantined (held and blocked too) */
	int waiting;            /* files not ready yet */
	int failed;             /* files whose steps failed (left in the inbox, or not moved) */
	int failed_rc;          /* the exit code of the first such failure */
	long long rows;         /* data rows read */
	long long rejected;     /* rows rejected */
	long long errors, warnings; /* findings of this run's batches */
	int look;               /* files with something to look at (unmapped, missing, errors) */
	fileres *files;         /* one per inbox file looked at (nfiles, malloc'd) */
	size_t nfiles, cap;     /* files used and allocated */
	int dry_run;            /* --dry-run: roll back, move nothing */
	const char *const *accept; /* --accept-shrink: base names (naccept), the caller's */
	int naccept;            /* entries of accept */
	int progress;           /* a terminal: show each file's progress on one line */
	size_t index, count;    /* the file being done (1-based) of how many, for that line */
	runfile_servers *srv;   /* the run's stage servers (the caller's) */
} tally;

/* Free what t holds (its files and their notices); t itself is the caller's. */
void tally_free(tally *t);

/* The first line of text into dst (len bytes, cut to fit). */
void runfile_first_line(char *dst, size_t len, const char *text);

/* The label of a batch of source (and of its staging directory):
 * TIME-SOURCE[tag], TIME when as local YYYYmmddTHHMMSS, SOURCE cut to 40
 * bytes; with n >= 2, "-n" after it (the n-th of that second).  Into
 * label (llen bytes). */
void runfile_label(char *label, size_t llen, time_t when, const char *source, const char *tag, int n);

/* Entries an argv of runfile_*_argv needs at most (its NULL included),
 * besides a transform's "-w" arguments. */
#define RUNFILE_ARGS 16

/* vqr-extract's arguments into argv: prog -c config -s source -o dir
 * path [-v].  The strings are the caller's. */
void runfile_extract_argv(char **argv, char *prog, const char *config, const char *source, const char *dir,
			  const char *path, int verbose);

/* vqr-transform's arguments into argv (RUNFILE_ARGS + nw entries): prog
 * -c config [-f follow] WARGS... dir [-v]; follow names the source when
 * it reads the rows while vqr-extract writes them. */
void runfile_transform_argv(char **argv, char *prog, const char *config, const char *follow, char **wargs, int nw,
			    const char *dir, int verbose);

/* vqr-load's arguments into argv: prog -c config -l label [-f follow]
 * then -a -a when the shrink is accepted (else -l label once more: a
 * NULL would end the list early), dir, and when not following -n for a
 * dry run or else -v when verbose, then -v when verbose. */
void runfile_load_argv(char **argv, char *prog, const char *config, const char *label, const char *follow,
		       int accepted, const char *dir, int dry_run, int verbose);

/* May path shrink its slice: its base name among t's accept names
 * (--accept-shrink), or a marker path.accept-shrink beside it? */
int runfile_shrink_accepted(const tally *t, const char *path);

/* Is any of m's periods in list (comma-separated)?  (A supplement's
 * periods whose earlier rows are gone.) */
int runfile_in_periods(const manifest *m, const char *list);

/* What becomes of a file after vqr-load (rc its exit status or -1, lr
 * its result line, zeroed when there was none). */
typedef enum runfile_outcome {
	RUNFILE_HELD,           /* held back in quarantine: it would shrink its slice */
	RUNFILE_BLOCKED,        /* a blocking check failed: quarantined, its batch recorded */
	RUNFILE_FAILED,         /* the load failed: the file stays in the inbox */
	RUNFILE_WOULD_LOAD,     /* a dry run that would load it */
	RUNFILE_SKIPPED,        /* loaded before: archived */
	RUNFILE_LOADED          /* loaded: archived */
} runfile_outcome;

runfile_outcome runfile_load_outcome(int rc, const stage_result *lr, int dry_run);

/* Are the rows kept at the load put in place (else removed)?  Only when
 * the load committed a batch that loaded the file. */
int runfile_keeps_rows(int rc, const stage_result *lr);

/* The reason of a file held back (quarantined) because it would shrink
 * its slice: path, the source's max_shrink and name, held (vqr-load's
 * figures, the first line of STAGE_HELD_FILE) and how to accept it.  A new
 * string (the caller frees it). */
char *runfile_held_reason(const char *path, double max_shrink, const char *source, const char *held);

/* A new staging directory's name for a file of s (not created): label
 * TIME-SOURCE[tag][-N] into label (llen bytes), dir staging/label into
 * dir (dlen bytes).  A fresh directory, also when an earlier attempt in
 * the same second left one (kept for the record): the transform follows
 * whatever rows appear in it. */
void runfile_stage_dir(const cfg *c, const cfg_source *s, const char *tag, char *label, size_t llen, char *dir,
		       size_t dlen);

/* One file of the inbox (path), with the stages run against conninfo
 * (config: the configuration's path, for them) and d the driver's own
 * connection; what happened is added to t.  Returns 0 to go on, or an
 * exit code: the file's steps failed. */
int runfile_do(const cfg *c, const char *config, db *d, const char *conninfo, const char *path, tally *t);

/* runfile_do in two halves, so that a run overlaps one file's load with
 * the next file's extract and transform (the stage servers of t->srv).
 * runfile_begin runs the steps up to the transform's end: NULL when they
 * ended the file (*rc: 0 to go on, or an exit code as runfile_do's),
 * else the file in flight, whose load is sent by runfile_send_load (if
 * it did not follow the extract) and whose result runfile_end waits for
 * (it finishes the file, frees it and returns as runfile_do).  A file in
 * flight holds the load server: begin the next file, then end this one,
 * then send the next one's load. */
typedef struct filerun filerun;
filerun *runfile_begin(const cfg *c, const char *config, db *d, const char *conninfo, const char *path, tally *t,
		       int *rc);
void runfile_send_load(filerun *r);
int runfile_end(filerun *r);

/* Must path wait until the files before it are loaded, before its
 * runfile_begin?  A supplement (补录), whose transform reads the rows of
 * its slices' files loaded before it. */
int runfile_in_order(const cfg *c, const char *path);

#endif
