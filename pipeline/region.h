/*
 * region.h - regional aggregation on PostgreSQL's logical replication
 * (docs/REGION.md): a college publishes, the regional database subscribes
 * to each college.
 *
 *     vqr init --publish [--id-block N]   at a college  -> region_init
 *     vqr init --region                   at the region -> region_init
 *     vqr region add NAME CONNINFO        at the region -> region_add
 *     vqr region status                   at the region -> region_status
 *     vqr region remove NAME              at the region -> region_remove
 *
 * The SQL side is sql/030_region.sql (vqr.publish, vqr.region_setup,
 * vqr.v_college_freshness).  These functions print their report to the
 * FILE the caller gives (the driver passes stdout), never to stderr, and
 * never exit: they return 0, -1 on a database error, or REGION_REFUSED
 * (REGION_STALE) below, with the message in err; the command chooses the
 * exit status.  They keep no state and own no memory after returning.
 */
#ifndef VQR_REGION_H
#define VQR_REGION_H

#include <stddef.h>
#include <stdio.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"

#define REGION_REFUSED (-2) /* refused: a bad name, not a regional database, a conflict (err says why) */
#define REGION_STALE 1      /* region_status: a college is stale or not replicating */

typedef struct region_init_opts {
	int publish;            /* --publish: this college publishes to a region */
	int id_block;           /* --id-block N (1..999999), 0 = keep or derive from the school code */
	int region;             /* --region: this database is the regional database */
	const char *database;   /* --database, to reconnect after restarting the embedded cluster */
} region_init_opts;

/* After the migrations of `vqr init` on d: with ro->region (or when d
 * already is a region) make d a regional database (vqr.region_setup);
 * with ro->publish (or when d already publishes) publish this college
 * (vqr.publish with c's school code).  When publishing needs wal_level =
 * logical and it is not: set it with ALTER SYSTEM when d's user may, and
 * restart the embedded cluster (reconnecting d) or say that the server
 * needs a restart.  c may be NULL only without publishing.  Returns 0,
 * REGION_REFUSED (--publish with --region, no configuration) or -1, with
 * err. */
int region_init(db *d, const cfg *c, const region_init_opts *ro, FILE *out, char *err, size_t errlen);

/* At the region d: add college name (a-z, 0-9, _; at most 40) whose
 * database conninfo reaches (libpq conninfo or URI, as the region's
 * server will use it).  Connects to the college first and refuses, before
 * anything is created: a college that has not published or whose
 * wal_level is not logical, a school code another college (or a local
 * row) already supplies, an id block another college uses, and an
 * indicator whose kind, unit, scale or aggregation rule differs from the
 * region's.  Then records the college and creates subscription
 * vqr_<name> (the initial copy runs in the background).  Returns 0,
 * REGION_REFUSED (bad name, not a region, a conflict), or -1 with err. */
int region_add(db *d, const char *name, const char *conninfo, FILE *out, char *err, size_t errlen);

/* At the region d: each college with its schools, subscription state,
 * last contact, lag in bytes (asked of the college when the region may
 * read the subscription's conninfo and the college answers within a few
 * seconds) and last batch, and whether its data is stale.  Returns 0,
 * REGION_STALE (with err) when a college is stale, has no subscription,
 * or its subscription is disabled or not receiving, REGION_REFUSED (not
 * a region) or -1, with err. */
int region_status(db *d, FILE *out, char *err, size_t errlen);

/* At the region d: drop college name's subscription (and its slot at the
 * college; when the college cannot be reached the slot is left there and
 * a line in out says so), and delete its schools' values, batches, files
 * and findings.  Returns 0, REGION_REFUSED (bad name, not a region, not
 * in the region) or -1, with err. */
int region_remove(db *d, const char *name, FILE *out, char *err, size_t errlen);

#endif
