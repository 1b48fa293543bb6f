/*
 * thread.h - starting a worker thread together with the mutex and
 * condition variable it shares with its owner, all or nothing (the
 * rows.c compressor, the xlsx inflater).
 */
#ifndef VQR_THREAD_H
#define VQR_THREAD_H

#include <pthread.h>

/* Initialise *mu and *cv and start fn(arg) in *th.  Returns 0 when all
 * three are up; -1 when one failed, with whatever was made destroyed
 * again (the caller then does the work itself). */
int thread_start(pthread_t *th, pthread_mutex_t *mu, pthread_cond_t *cv, void *(*fn)(void *), void *arg);

#endif
