/*
 * region.c - a college publishes, the region subscribes; see region.h and
 * docs/REGION.md.  The work in the databases is done by the functions of
 * sql/030_region.sql; this file connects, checks, and reports.
 */
#include "pipeline/region.h"

#include <stdlib.h>
#include <string.h>

#include "lib/db/embed.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"

/* Seconds to wait for a college when asking it something. */
#define REGION_CONNECT_TIMEOUT "5"

/* One value of a one-row query, copied into buf ("" for NULL).  0, or -1
 * with err. */
static int query_value(db *d, const char *sql, int n, const char *const *p, char *buf, size_t len, char *err,
		       size_t errlen)
{
	PGresult *r = db_query(d, sql, n, p, err, errlen);
	if (!r)
		return -1;
	snprintf(buf, len, "%s", PQntuples(r) && PQnfields(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return 0;
}

static int is_region(db *d, int *yes, char *err, size_t errlen)
{
	char v[8];
	if (query_value(d, "SELECT to_regclass('vqr.region') IS NOT NULL AND vqr.is_region()", 0, NULL, v, sizeof v,
			err, errlen) < 0)
		return -1;
	*yes = v[0] == 't';
	return 0;
}

/* Stop and start the embedded cluster of d (so that wal_level takes
 * effect), then reconnect d.  Whether vqr stops it at the end stays as
 * it was. */
static int restart_embedded(db *d, const cfg *c, const char *override, char *err, size_t errlen)
{
	embed_cluster cl;
	int was_started = d->started;

	db_close(d, 0);
	if (embed_init(&cl, c->embedded_dir, c->embedded_user, c->embedded_port, err, errlen) < 0 ||
	    embed_stop(&cl, err, errlen) < 0)
		return -1;
	if (db_open(d, c, override, NULL, err, errlen) < 0)
		return -1;
	d->started = was_started;
	return 0;
}

/* Make sure wal_level is logical, or say what is needed. */
static int want_logical(db *d, const cfg *c, const region_init_opts *ro, FILE *out, char *err, size_t errlen)
{
	char level[32], su[8];

	if (query_value(d, "SELECT current_setting('wal_level')", 0, NULL, level, sizeof level, err, errlen) < 0 ||
	    query_value(d, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", 0, NULL, su, sizeof su, err,
			errlen) < 0)
		return -1;
	if (strcmp(level, "logical") == 0)
		return 0;
	if (su[0] != 't') {
		fprintf(out, "vqr: wal_level is %s, and logical replication needs logical: a superuser must set\n"
			"     wal_level = logical (postgresql.conf or ALTER SYSTEM) and restart the server\n", level);
		return 0;
	}
	if (db_exec(d, "ALTER SYSTEM SET wal_level = logical", err, errlen) < 0)
		return -1;
	if (d->embedded) {
		if (restart_embedded(d, c, ro->database, err, errlen) < 0)
			return -1;
		if (query_value(d, "SELECT current_setting('wal_level')", 0, NULL, level, sizeof level, err, errlen) < 0)
			return -1;
		fprintf(out, "vqr: wal_level set to logical; the embedded PostgreSQL was restarted (now %s)\n", level);
		return 0;
	}
	fprintf(out, "vqr: wal_level set to logical with ALTER SYSTEM (it was %s): restart the PostgreSQL server\n"
		"     before adding this college to a region\n", level);
	return 0;
}

int region_init(db *d, const cfg *c, const region_init_opts *ro, FILE *out, char *err, size_t errlen)
{
	char v[64], blk[16], tables[16], role[8];
	int region, published;

	if (ro->publish && ro->region) {
		err_set(err, errlen, "--publish and --region exclude each other: a college publishes, the region subscribes");
		return REGION_REFUSED;
	}
	if (is_region(d, &region, err, errlen) < 0 ||
	    query_value(d, "SELECT EXISTS (SELECT 1 FROM vqr.publication_setting)", 0, NULL, v, sizeof v, err,
			errlen) < 0)
		return -1;
	published = v[0] == 't';
	if (ro->region || region) {
		if (db_exec(d, "SELECT vqr.region_setup()", err, errlen) < 0)
			return -1;
		if (ro->region)
			fprintf(out, "vqr: this database is a regional database: add each college with\n"
				"     vqr region add NAME CONNINFO\n");
	}
	if (ro->publish || published) {
		const char *p[2];
		PGresult *r;
		if (!c) {
			err_set(err, errlen, "publishing needs the deployment's configuration (its school code)");
			return REGION_REFUSED;
		}
		snprintf(blk, sizeof blk, "%d", ro->id_block);
		p[0] = c->school_code;
		p[1] = ro->id_block ? blk : NULL;
		if (!(r = db_query(d, "SELECT vqr.publish($1, $2::integer)", 2, p, err, errlen)))
			return -1;
		snprintf(blk, sizeof blk, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		/* (A statement of its own: it must see what vqr.publish made.) */
		if (!(r = db_query(d, "SELECT (SELECT count(*) FROM pg_publication_tables WHERE pubname = 'vqr_college'), "
				   "EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vqr_region')", 0, NULL, err, errlen)))
			return -1;
		snprintf(tables, sizeof tables, "%s", PQgetvalue(r, 0, 0));
		snprintf(role, sizeof role, "%s", PQgetvalue(r, 0, 1));
		PQclear(r);
		if (ro->publish) {
			fprintf(out, "vqr: publication vqr_college: %s tables of school %s, ids in block %s (%s x 10^12 + n)\n",
				tables, c->school_code, blk, blk);
			if (role[0] == 't')
				fprintf(out, "vqr: the region connects as role vqr_region: give it a password and a pg_hba.conf line\n"
					"     for this database, then at the region: vqr region add NAME '<conninfo>'\n");
			else
				fprintf(out, "vqr: role vqr_region is missing (creating a REPLICATION role needs a superuser):\n"
					"     the region must connect as a role with REPLICATION and SELECT on the published tables\n");
		}
		if (want_logical(d, c, ro, out, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* The college's answers for region_add. */
typedef struct college {
	char school_list[2048];  /* school codes, comma-separated, for messages */
	char schools[4096];      /* the same as a JSON array */
	char indicators[1 << 16]; /* the catalog's comparable fields as a JSON array */
	char id_block[16];       /* its id block */
	char publisher[512];     /* host, port and database, for the record */
} college;

static int ask_college(const char *name, const char *conninfo, college *col, char *err, size_t errlen)
{
	const char *keys[] = { "dbname", "connect_timeout", "fallback_application_name", NULL };
	const char *vals[] = { conninfo, REGION_CONNECT_TIMEOUT, "vqr region", NULL };
	db cd = { 0 };
	PGresult *r;
	int rc = -1;
	char e2[2048];

	cd.conn = PQconnectdbParams(keys, vals, 1);
	if (!cd.conn || PQstatus(cd.conn) != CONNECTION_OK) {
		char m[2048];
		db_mask_conninfo(cd.conn ? PQerrorMessage(cd.conn) : "out of memory", m, sizeof m);
		err_set(err, errlen, "cannot connect to college %s: %.*s", name, (int)strcspn(m, "\n"), m);
		goto done;
	}
	snprintf(col->publisher, sizeof col->publisher, "host %s port %s dbname %s", PQhost(cd.conn), PQport(cd.conn),
		 PQdb(cd.conn));
	r = db_query(&cd, "SELECT to_regclass('vqr.publication_setting') IS NOT NULL", 0, NULL, e2, sizeof e2);
	if (!r) {
		err_set(err, errlen, "college %s (%s): %s", name, col->publisher, e2);
		goto done;
	}
	if (PQgetvalue(r, 0, 0)[0] != 't') {
		PQclear(r);
		err_set(err, errlen, "college %s (%s) has no vqr schema that publishes\n"
			 "hint: run \"vqr init --publish\" at the college with this version of vqr", name, col->publisher);
		goto done;
	}
	PQclear(r);
	r = db_query(&cd,
		     "SELECT s.id_block, current_setting('wal_level'), "
		     "EXISTS (SELECT 1 FROM pg_publication WHERE pubname = s.pubname), "
		     "(SELECT string_agg(x, ',' ORDER BY x) FROM (SELECT school_code FROM vqr.school "
		     " UNION SELECT s.school_code) AS u(x)), "
		     "(SELECT jsonb_agg(x ORDER BY x) FROM (SELECT school_code FROM vqr.school "
		     " UNION SELECT s.school_code) AS u(x)), "
		     "(SELECT coalesce(jsonb_agg(jsonb_build_object('indicator_code', i.indicator_code, 'kind', i.kind, "
		     " 'unit', i.unit, 'scale', i.scale, 'aggregate', i.aggregate)), '[]') FROM vqr.indicator i) "
		     "FROM vqr.publication_setting s",
		     0, NULL, e2, sizeof e2);
	if (!r) {
		err_set(err, errlen, "college %s (%s): %s", name, col->publisher, e2);
		goto done;
	}
	if (!PQntuples(r) || PQgetvalue(r, 0, 2)[0] != 't') {
		PQclear(r);
		err_set(err, errlen, "college %s (%s) does not publish\nhint: run \"vqr init --publish\" at the college",
			 name, col->publisher);
		goto done;
	}
	if (strcmp(PQgetvalue(r, 0, 1), "logical") != 0) {
		err_set(err, errlen, "college %s (%s) has wal_level %s, logical replication needs logical\n"
			 "hint: restart the college's PostgreSQL server (vqr init --publish set wal_level = logical)",
			 name, col->publisher, PQgetvalue(r, 0, 1));
		PQclear(r);
		goto done;
	}
	if ((size_t)PQgetlength(r, 0, 5) >= sizeof col->indicators ||
	    (size_t)PQgetlength(r, 0, 4) >= sizeof col->schools) {
		PQclear(r);
		err_set(err, errlen, "college %s: too many schools or indicators to compare", name);
		goto done;
	}
	snprintf(col->id_block, sizeof col->id_block, "%s", PQgetvalue(r, 0, 0));
	snprintf(col->school_list, sizeof col->school_list, "%s", PQgetvalue(r, 0, 3));
	snprintf(col->schools, sizeof col->schools, "%s", PQgetvalue(r, 0, 4));
	snprintf(col->indicators, sizeof col->indicators, "%s", PQgetvalue(r, 0, 5));
	PQclear(r);
	rc = 0;
done:
	if (cd.conn)
		PQfinish(cd.conn);
	return rc;
}

/* A refusal of conflicts: given the answer r of its query, 1 with err
 * when college name (col) is refused, else 0. */
typedef int refusal(PGresult *r, const char *name, const college *col, char *err, size_t errlen);

/* A school code of the college is another college's, or the region's own. */
static int school_taken(PGresult *r, const char *name, const college *col, char *err, size_t errlen)
{
	(void)col;
	if (!PQntuples(r))
		return 0;
	if (PQgetvalue(r, 0, 1)[0])
		snprintf(err, errlen,
			 "school code %s of college %s is already supplied by college %s: two colleges cannot claim "
			 "the same school code\n"
			 "detail: nothing was created; the region keeps college %s's data for %s\n"
			 "hint: if these are different schools, give one of them another code (school.code in its "
			 "configuration); if college %s moved, run \"vqr region remove %s\" first",
			 PQgetvalue(r, 0, 0), name, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0),
			 PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 1));
	else
		snprintf(err, errlen,
			 "school code %s of college %s is already in the regional database without a college\n"
			 "hint: a region receives schools only from its colleges; remove the local rows of %s",
			 PQgetvalue(r, 0, 0), name, PQgetvalue(r, 0, 0));
	return 1;
}

/* Another college uses the college's id block. */
static int block_taken(PGresult *r, const char *name, const college *col, char *err, size_t errlen)
{
	if (!PQntuples(r))
		return 0;
	snprintf(err, errlen,
		 "college %s numbers its batches and files in id block %s, like college %s: their ids would "
		 "collide at the region\n"
		 "hint: at college %s run \"vqr init --publish --id-block N\" with N (1..999999) not in use "
		 "(in use: %s), then add it again",
		 name, col->id_block, PQgetvalue(r, 0, 0), name, PQgetvalue(r, 0, 1));
	return 1;
}

/* The college defines an indicator differently from the region. */
static int catalog_differs(PGresult *r, const char *name, const college *col, char *err, size_t errlen)
{
	(void)col;
	if (PQgetisnull(r, 0, 0))
		return 0;
	snprintf(err, errlen,
		 "college %s defines indicators differently from the region, which could not aggregate them:\n"
		 "detail: %s\n"
		 "hint: give the college the same indicator catalog (config/indicators) as the other colleges",
		 name, PQgetvalue(r, 0, 0));
	return 1;
}

/* Ask sql with the one parameter param and judge the answer by fn: 0, 1
 * with err when refused, -1 with err on a database error. */
static int refused(db *d, const char *sql, const char *param, refusal *fn, const char *name, const college *col,
		   char *err, size_t errlen)
{
	const char *p[1] = { param };
	PGresult *r = db_query(d, sql, 1, p, err, errlen);
	int k;

	if (!r)
		return -1;
	k = fn(r, name, col, err, errlen);
	PQclear(r);
	return k;
}

/* The refusals of region_add that the region can tell; run inside the
 * transaction that records the college.  0 when none, 1 with err when
 * refused, -1 with err on a database error. */
static int conflicts(db *d, const char *name, const college *col, char *err, size_t errlen)
{
	int k;

	if ((k = refused(d,
			 "SELECT s.code, coalesce(rs.college, '') FROM jsonb_array_elements_text($1::jsonb) AS s(code) "
			 "LEFT JOIN vqr.region_school rs ON rs.school_code = s.code "
			 "WHERE rs.college IS NOT NULL OR EXISTS (SELECT 1 FROM vqr.school x WHERE x.school_code = s.code) "
			 "ORDER BY 1 LIMIT 1",
			 col->schools, school_taken, name, col, err, errlen)) ||
	    (k = refused(d,
			 "SELECT college, (SELECT string_agg(id_block::text, ', ' ORDER BY id_block) "
			 "FROM vqr.region_college) FROM vqr.region_college WHERE id_block = $1::integer",
			 col->id_block, block_taken, name, col, err, errlen)))
		return k;
	return refused(d,
		       "SELECT string_agg(format('%s: %s %s %s x%s at the region, %s %s %s x%s at the college', "
		       "i.indicator_code, i.kind, i.aggregate, i.unit, i.scale, c.kind, c.aggregate, c.unit, c.scale), "
		       "E'\\n' ORDER BY i.indicator_code) "
		       "FROM jsonb_to_recordset($1::jsonb) AS c(indicator_code text, kind text, unit text, scale numeric, "
		       "aggregate text) JOIN vqr.indicator i USING (indicator_code) "
		       "WHERE (i.kind, i.unit, i.scale, i.aggregate) IS DISTINCT FROM (c.kind, c.unit, c.scale, c.aggregate)",
		       col->indicators, catalog_differs, name, col, err, errlen);
}

/* Run the SQL before, the identifier name quoted by PQescapeIdentifier
 * (its copy freed here), and after.  0, or -1 with err set. */
static int exec_ident(db *d, const char *before, const char *name, const char *after, char *err, size_t errlen)
{
	char *id = PQescapeIdentifier(d->conn, name, strlen(name)), *sql;
	int rc;

	if (!id) {
		err_set(err, errlen, "cannot quote \"%s\": %s", name, PQerrorMessage(d->conn));
		return -1;
	}
	sql = xasprintf("%s%s%s", before, id, after);
	PQfreemem(id);
	rc = db_exec(d, sql, err, errlen);
	free(sql);
	return rc;
}

static int valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 40)
		return 0;
	for (const char *s = name; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* That d is a regional database (with hint, the hint to make it one).
 * 0, REGION_REFUSED when it is not, or -1, with err. */
static int need_region(db *d, int hint, char *err, size_t errlen)
{
	int region;

	if (is_region(d, &region, err, errlen) < 0)
		return -1;
	if (!region) {
		err_set(err, errlen, "this database is not a regional database%s",
			hint ? "\nhint: run \"vqr init --region\" on it first" : "");
		return REGION_REFUSED;
	}
	return 0;
}

/* The checks before region_add (adding) and region_remove: that name is
 * a valid college name and d a regional database.  0, REGION_REFUSED or
 * -1, with err. */
static int check_college(db *d, const char *name, int adding, char *err, size_t errlen)
{
	if (!valid_name(name)) {
		err_set(err, errlen, "college name \"%s\": use 1 to 40 of a-z, 0-9 and _%s", name,
			adding ? " (it names the subscription)" : "");
		return REGION_REFUSED;
	}
	return need_region(d, adding, err, errlen);
}

/* Record college name (subscription subname) and its schools in one
 * transaction, under a lock that keeps two adds from passing the checks
 * together.  0, REGION_REFUSED (a conflict) or -1, with err (nothing recorded). */
static int record_college(db *d, const char *name, const char *subname, const college *col, char *err,
			  size_t errlen)
{
	const char *p[4] = { name, subname, col->id_block, col->publisher };
	char e2[1024];
	PGresult *r;
	int k = 0;

	if (db_exec(d, "BEGIN", err, errlen) < 0)
		return -1;
	if (db_exec(d, "SELECT pg_advisory_xact_lock(hashtext('vqr.region_add'))", err, errlen) < 0 ||
	    (k = conflicts(d, name, col, err, errlen)) != 0 ||
	    !(r = db_query(d, "INSERT INTO vqr.region_college (college, subname, id_block, publisher) "
			   "VALUES ($1, $2, $3::integer, $4)", 4, p, err, errlen)))
		goto rollback;
	PQclear(r);
	p[1] = col->schools;
	if (!(r = db_query(d, "INSERT INTO vqr.region_school (school_code, college) "
			   "SELECT s, $1 FROM jsonb_array_elements_text($2::jsonb) AS s", 2, p, err, errlen)))
		goto rollback;
	PQclear(r);
	return db_exec(d, "COMMIT", err, errlen) < 0 ? -1 : 0;
rollback:
	db_exec(d, "ROLLBACK", e2, sizeof e2);
	return k > 0 ? REGION_REFUSED : -1;
}

/* CREATE SUBSCRIPTION subname to the college at conninfo (which makes
 * the slot at the college, and may not run inside a transaction block);
 * when it fails, the college's record goes again.  0, or -1 with
 * err. */
static int subscribe(db *d, const char *name, const char *subname, const char *conninfo, char *err, size_t errlen)
{
	const char *p[1] = { name };
	char e2[1024], *lit, *after;
	int rc = 0;

	if (!(lit = PQescapeLiteral(d->conn, conninfo, strlen(conninfo)))) {
		err_set(err, errlen, "cannot quote the conninfo: %s", PQerrorMessage(d->conn));
		rc = -1;
	} else {
		after = xasprintf(" CONNECTION %s PUBLICATION vqr_college", lit);
		PQfreemem(lit);
		if (exec_ident(d, "CREATE SUBSCRIPTION ", subname, after, err, errlen) < 0) {
			size_t n = strlen(err);
			snprintf(err + n, errlen - n, "\ndetail: CREATE SUBSCRIPTION %s failed; college %s was not added",
				 subname, name);
			rc = -1;
		}
		free(after);
	}
	if (rc)
		PQclear(db_query(d, "DELETE FROM vqr.region_college WHERE college = $1", 1, p, e2, sizeof e2));
	return rc;
}

int region_add(db *d, const char *name, const char *conninfo, FILE *out, char *err, size_t errlen)
{
	college *col;
	char subname[64];
	const char *p[1] = { name };
	PGresult *r;
	int rc, k;

	if ((rc = check_college(d, name, 1, err, errlen)))
		return rc;
	snprintf(subname, sizeof subname, "vqr_%s", name);
	if (!(r = db_query(d, "SELECT 1 FROM vqr.region_college WHERE college = $1", 1, p, err, errlen)))
		return -1;
	k = PQntuples(r);
	PQclear(r);
	if (k) {
		err_set(err, errlen, "college %s is already in the region\nhint: see \"vqr region status\"", name);
		return REGION_REFUSED;
	}
	col = xcalloc(1, sizeof *col);
	if (ask_college(name, conninfo, col, err, errlen) < 0)
		rc = -1;
	else if (!(rc = record_college(d, name, subname, col, err, errlen)) &&
		 !(rc = subscribe(d, name, subname, conninfo, err, errlen)))
		fprintf(out, "vqr: college %s added: subscription %s to %s (school%s %s, id block %s)\n"
			"vqr: its initial copy runs in the background; see \"vqr region status\"\n",
			name, subname, col->publisher, strchr(col->school_list, ',') ? "s" : "", col->school_list,
			col->id_block);
	free(col);
	return rc;
}

/* Bytes of WAL the college has not yet had confirmed by the region's
 * slot, asked of the college itself; what to print goes into buf. */
static void college_lag(const char *conninfo, const char *slot, char *buf, size_t len)
{
	const char *keys[] = { "dbname", "connect_timeout", "fallback_application_name", NULL };
	const char *vals[] = { conninfo, REGION_CONNECT_TIMEOUT, "vqr region", NULL };
	const char *p[1] = { slot };
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	PGresult *r;

	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		char m[2048];
		db_mask_conninfo(conn ? PQerrorMessage(conn) : "out of memory", m, sizeof m);
		snprintf(buf, len, "college unreachable: %.*s", (int)strcspn(m, "\n"), m);
		PQfinish(conn);
		return;
	}
	r = PQexecParams(conn,
			 "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, active "
			 "FROM pg_replication_slots WHERE slot_name = $1",
			 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		snprintf(buf, len, "cannot tell: %.*s", (int)strcspn(PQerrorMessage(conn), "\n"), PQerrorMessage(conn));
	else if (!PQntuples(r))
		snprintf(buf, len, "no slot %s at the college", slot);
	else
		snprintf(buf, len, "%s bytes of WAL not yet confirmed by the region%s", PQgetvalue(r, 0, 0),
			 PQgetvalue(r, 0, 1)[0] == 't' ? "" : " (slot not in use)");
	PQclear(r);
	PQfinish(conn);
}

/* vqr region status: college i of r (region_status's query; ci the
 * subscriptions' conninfo, NULL when not readable) on out.  1 when it is
 * stale or not replicating, else 0. */
static int college_status(PGresult *r, int i, PGresult *ci, FILE *out)
{
	const char *sub = PQgetvalue(r, i, 1), *slot = PQgetvalue(r, i, 14);
	char state[128], lag[512] = "";
	long syncing = atol(PQgetvalue(r, i, 6)), tables = atol(PQgetvalue(r, i, 7));

	if (PQgetisnull(r, i, 14))
		snprintf(state, sizeof state, "no subscription %s", sub);
	else if (PQgetvalue(r, i, 4)[0] != 't')
		snprintf(state, sizeof state, "subscription disabled");
	else if (PQgetvalue(r, i, 5)[0] != 't')
		snprintf(state, sizeof state, "not receiving (cannot reach the college, retrying)");
	else if (syncing)
		snprintf(state, sizeof state, "initial copy (%ld of %ld tables ready)", tables - syncing, tables);
	else
		snprintf(state, sizeof state, "replicating (%ld tables)", tables);
	if (ci && !PQgetisnull(r, i, 14)) {
		for (int j = 0; j < PQntuples(ci); j++)
			if (strcmp(PQgetvalue(ci, j, 0), sub) == 0)
				college_lag(PQgetvalue(ci, j, 1), slot, lag, sizeof lag);
	} else if (!ci) {
		snprintf(lag, sizeof lag, "unknown (only a superuser may read the subscription's conninfo)");
	}
	fprintf(out, "college %s (schools %s; %s)\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 3),
		PQgetvalue(r, i, 2));
	fprintf(out, "  subscription %s: %s", sub, state);
	if (PQgetvalue(r, i, 8)[0])
		fprintf(out, ", last contact %s s ago", PQgetvalue(r, i, 8));
	if (atol(PQgetvalue(r, i, 13)))
		fprintf(out, ", %s error%s since added (see the region's server log)", PQgetvalue(r, i, 13),
			strcmp(PQgetvalue(r, i, 13), "1") ? "s" : "");
	fputc('\n', out);
	if (lag[0])
		fprintf(out, "  lag: %s\n", lag);
	if (PQgetvalue(r, i, 9)[0])
		fprintf(out, "  last batch: %s loaded %s (%s ago)\n", PQgetvalue(r, i, 9), PQgetvalue(r, i, 10),
			PQgetvalue(r, i, 11));
	else
		fprintf(out, "  last batch: none yet\n");
	if (PQgetvalue(r, i, 12)[0] == 't')
		fprintf(out, "  STALE: nothing received from the college now (stale after %s); the region shows "
			"its last data\n", PQgetvalue(r, i, 15));
	else
		fprintf(out, "  fresh\n");
	return PQgetvalue(r, i, 12)[0] == 't' || PQgetisnull(r, i, 14) || PQgetvalue(r, i, 4)[0] != 't' ||
	       PQgetvalue(r, i, 5)[0] != 't';
}

int region_status(db *d, FILE *out, char *err, size_t errlen)
{
	PGresult *r, *ci = NULL;
	int n, can_conninfo, rc;
	char v[8];

	if ((rc = need_region(d, 1, err, errlen)))
		return rc;
	r = db_query(d,
		     "SELECT f.college, f.subname, f.publisher, coalesce(array_to_string(f.schools, ', '), ''), "
		     "f.enabled, f.receiving, f.tables_syncing, f.tables, "
		     "coalesce(extract(epoch FROM now() - f.last_contact)::bigint::text, ''), "
		     "coalesce(f.last_batch_id::text, ''), coalesce(to_char(f.last_batch_at, 'YYYY-MM-DD HH24:MI:SS'), ''), "
		     "coalesce(justify_interval(date_trunc('second', f.data_age))::text, ''), f.stale, "
		     "coalesce((SELECT st.apply_error_count + st.sync_error_count FROM pg_stat_subscription_stats st "
		     " WHERE st.subname = f.subname), 0), "
		     "(SELECT s.subslotname FROM pg_subscription s WHERE s.subname = f.subname), "
		     "(SELECT r.stale_after FROM vqr.region r) "
		     "FROM vqr.v_college_freshness f ORDER BY f.college",
		     0, NULL, err, errlen);
	if (!r)
		return -1;
	if (query_value(d, "SELECT has_column_privilege('pg_subscription', 'subconninfo', 'SELECT')", 0, NULL, v,
			sizeof v, err, errlen) < 0) {
		PQclear(r);
		return -1;
	}
	can_conninfo = v[0] == 't';
	if (can_conninfo &&
	    !(ci = db_query(d, "SELECT subname, subconninfo FROM pg_subscription "
			    "WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
			    0, NULL, err, errlen))) {
		PQclear(r);
		return -1;
	}
	n = PQntuples(r);
	rc = 0;
	fprintf(out, "region %s: %d college%s%s\n", d->where, n, n == 1 ? "" : "s",
		n ? "" : " (add one with: vqr region add NAME CONNINFO)");
	for (int i = 0; i < n; i++)
		if (college_status(r, i, ci, out))
			rc = REGION_STALE;
	PQclear(ci);
	PQclear(r);
	if (rc == REGION_STALE)
		err_set(err, errlen, "a college is stale or not replicating");
	return rc;
}

int region_remove(db *d, const char *name, FILE *out, char *err, size_t errlen)
{
	char subname[64], e2[1024];
	const char *p[1] = { name };
	PGresult *r;
	int rc, exists, slot_left = 0;

	if ((rc = check_college(d, name, 0, err, errlen)))
		return rc;
	if (!(r = db_query(d, "SELECT subname FROM vqr.region_college WHERE college = $1", 1, p, err, errlen)))
		return -1;
	if (!PQntuples(r)) {
		PQclear(r);
		err_set(err, errlen, "college %s is not in the region\nhint: see \"vqr region status\"", name);
		return REGION_REFUSED;
	}
	snprintf(subname, sizeof subname, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	p[0] = subname;
	if (!(r = db_query(d, "SELECT 1 FROM pg_subscription WHERE subname = $1", 1, p, err, errlen)))
		return -1;
	exists = PQntuples(r);
	PQclear(r);
	if (exists) {
		if (exec_ident(d, "DROP SUBSCRIPTION ", subname, "", e2, sizeof e2) < 0) {
			/* The college is unreachable: drop without its slot. */
			if (exec_ident(d, "ALTER SUBSCRIPTION ", subname, " DISABLE", err, errlen) < 0 ||
			    exec_ident(d, "ALTER SUBSCRIPTION ", subname, " SET (slot_name = NONE)", err, errlen) < 0 ||
			    exec_ident(d, "DROP SUBSCRIPTION ", subname, "", err, errlen) < 0)
				return -1;
			slot_left = 1;
		}
	}
	p[0] = name;
	if (db_exec(d, "BEGIN", err, errlen) < 0)
		return -1;
	static const char *const del[] = {
		"DELETE FROM vqr.finding WHERE school_code IN (SELECT school_code FROM vqr.region_school WHERE college = $1)",
		"DELETE FROM vqr.indicator_value WHERE school_code IN "
		"(SELECT school_code FROM vqr.region_school WHERE college = $1)",
		"DELETE FROM vqr.source_file WHERE school_code IN "
		"(SELECT school_code FROM vqr.region_school WHERE college = $1)",
		"DELETE FROM vqr.batch WHERE school_code IN (SELECT school_code FROM vqr.region_school WHERE college = $1)",
		"DELETE FROM vqr.school WHERE school_code IN (SELECT school_code FROM vqr.region_school WHERE college = $1)",
		"DELETE FROM vqr.region_college WHERE college = $1",
	};
	for (size_t i = 0; i < sizeof del / sizeof *del; i++) {
		if (!(r = db_query(d, del[i], 1, p, err, errlen))) {
			db_exec(d, "ROLLBACK", e2, sizeof e2);
			return -1;
		}
		PQclear(r);
	}
	if (db_exec(d, "COMMIT", err, errlen) < 0)
		return -1;
	fprintf(out, "vqr: college %s removed: subscription %s dropped, its schools' data deleted from the region\n",
		name, subname);
	if (slot_left)
		fprintf(out, "vqr: the college could not be reached (%.*s): drop its replication slot %s there with\n"
			"     SELECT pg_drop_replication_slot('%s');\n",
			(int)strcspn(e2, "\n"), e2, subname, subname);
	return 0;
}
