/*
 * embed.h - vqr's private ("embedded") PostgreSQL cluster, used when the
 * configuration names no database.
 *
 * A cluster lives in one directory DIR:
 *
 *     DIR/pgdata                 the PGDATA (mode 0700)
 *     DIR/run                    the unix socket directory (mode 0700)
 *     DIR/log/postgresql.log     the server log
 *     DIR/log/initdb.log         output of the last initdb
 *     DIR/log/pg_ctl.log         output of the last pg_ctl start/stop
 *
 * By default the server listens only on a unix socket in DIR/run
 * (listen_addresses is empty, so no TCP port is opened); authentication
 * there is "trust", and the 0700 socket directory is the access control.
 * The superuser and the database are both called "vqr".  With
 * embed_set_listen the server also listens on a loopback address over TCP
 * (on the same port), where every login must give its password
 * (scram-sha-256; the superuser "vqr" has none, so it cannot log in that
 * way).  pg_hba.conf and the listening address are written at every start,
 * so a change of either takes effect at the next start.
 *
 * initdb, pg_ctl and postgres come from $VQR_PG_BINDIR, else the highest
 * /usr/lib/postgresql/<major>/bin (Debian), else the directory on PATH
 * holding initdb.  initdb and pg_ctl refuse to run as root, so when vqr
 * runs as root they run as an unprivileged user (run_as, "postgres" by
 * default; for a cluster that already exists, the owner of its PGDATA),
 * switched to in a forked child with setgroups/setgid/setuid.  Their
 * output goes to the files above, never to the terminal.
 *
 * VQR_EMBED_NOSYNC=1 (tests only) runs initdb --no-sync and the server
 * with fsync=off.  VQR_EMBED_READY_SECS (default 60) bounds the wait for
 * a server to accept connections, VQR_EMBED_STOP_TIMEOUT (default 60) each
 * step of a stop; both mainly so that tests can shorten them.
 *
 *     embed_cluster cl;
 *     if (embed_init(&cl, "/var/lib/vqr/pg", NULL, 5432, err, sizeof err) < 0 ||
 *         embed_start(&cl, err, sizeof err) < 0)
 *             ... report err ...
 *     conn = PQconnectdb(cl.conninfo);
 *     ...
 *     if (cl.started)
 *             embed_stop(&cl, err, sizeof err);
 *
 * None of these functions print anything or keep global state; the
 * struct owns no memory.
 */
#ifndef VQR_EMBED_H
#define VQR_EMBED_H

#include <stddef.h>

typedef struct embed_cluster {
	char dir[4096];         /* the cluster's base directory DIR (absolute) */
	char datadir[4096];     /* the cluster's PGDATA: DIR/pgdata */
	char sockdir[4096];     /* unix socket directory: DIR/run (0700, owned by the cluster user) */
	char logfile[4096];     /* server log: DIR/log/postgresql.log */
	char bindir[4096];      /* where initdb, pg_ctl and postgres are */
	char run_as[256];       /* user to run as when root (the PGDATA owner wins if it exists) */
	char conninfo[8192];    /* libpq conninfo: "host=SOCKDIR port=PORT user=vqr dbname=vqr" */
	int port;               /* port number in the socket file name, and the TCP port with listen */
	char listen[64];        /* loopback address to listen on over TCP, "" = none (embed_set_listen) */
	int started;            /* 1 if embed_start started the server, 0 if it was running */
	int initialised;        /* 1 if embed_start ran initdb this time */
	char note[1024];        /* what embed_start or embed_stop had to do beyond the usual
				 * (waiting for recovery, escalating a stop, repairing a stuck
				 * server), one line for a warning; "" when nothing */
} embed_cluster;

/* Prepare cl for the cluster in dir (a relative dir is taken from the
 * current directory) run as run_as when root (NULL or "" = "postgres"),
 * with its socket named after port (0 = 5432).  Finds the PostgreSQL
 * programs.  Creates nothing and starts nothing: the only side effect is
 * filling cl.  0, or -1 with err (no PostgreSQL found, a path too long for
 * a unix socket, or characters in dir that cannot be passed to pg_ctl). */
int embed_init(embed_cluster *cl, const char *dir, const char *run_as, int port, char *err,
	       size_t errlen);

/* Have the server listen on addr over TCP as well, from its next start
 * (NULL or "" = unix socket only, the default).  addr must be a loopback
 * address (cfg_loopback: "localhost", "::1", 127.x.y.z).  0, or -1 with
 * err. */
int embed_set_listen(embed_cluster *cl, const char *addr, char *err, size_t errlen);

/* Make the cluster usable: create DIR and its subdirectories (when root,
 * first checking that the cluster user can reach DIR), initdb if PGDATA
 * holds no cluster yet (cl->initialised = 1), start the server unless it
 * is running (cl->started = 1 if started here, else 0; a running server's
 * actual port and socket directory are taken over into cl), wait until
 * it accepts connections, and create database "vqr" if missing.  Before
 * a start, DIR/pgdata/pg_hba.conf is written afresh: trust on the unix
 * socket, scram-sha-256 over TCP from loopback addresses, nothing else.  A
 * running server that does not accept connections within the ready time
 * (stuck starting up or shutting down) is stopped as embed_stop does and
 * started again; cl->note says so ("" when nothing unusual happened).
 * 0, or -1 with err, which quotes the end of initdb's output or of the
 * server log when those fail. */
int embed_start(embed_cluster *cl, char *err, size_t errlen);

/* Is the server running (pg_ctl status)?  1 yes, 0 no (also when no
 * cluster exists yet), -1 when it cannot be told (e.g. no permission). */
int embed_running(const embed_cluster *cl);

/* Stop the server.  A server that refuses connections (recovering from a
 * crash) first gets up to the ready time to accept them; then pg_ctl stop
 * -m fast -w, escalated to -m immediate and last to SIGKILL of the
 * postmaster and its processes, each step bounded by the stop timeout.
 * A server that is not running is not an error.  What had to be done
 * beyond the fast stop is described in cl->note ("" for a clean stop).
 * 0, or -1 with err (the steps tried and the end of the server log). */
int embed_stop(embed_cluster *cl, char *err, size_t errlen);

#endif
