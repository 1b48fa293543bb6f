/*
 * thread.c - a worker thread with its mutex and condition variable,
 * started all or nothing; see thread.h.
 */
#include "lib/util/thread.h"

int thread_start(pthread_t *th, pthread_mutex_t *mu, pthread_cond_t *cv, void *(*fn)(void *), void *arg)
{
	if (pthread_mutex_init(mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(cv, NULL) != 0) {
		pthread_mutex_destroy(mu);
		return -1;
	}
	if (pthread_create(th, NULL, fn, arg) != 0) {
		pthread_cond_destroy(cv);
		pthread_mutex_destroy(mu);
		return -1;
	}
	return 0;
}
