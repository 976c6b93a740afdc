#ifndef ST_THREADS_H
#define ST_THREADS_H

#include <stddef.h>

/// Starts a detached thread running start(argument) with a stack of stack_size bytes (0: the system's default).
/// Returns 0, or the error pthread_create gives. In C because pthread_t is an integer on Linux and a pointer on Darwin,
/// so the Swift spelling of a thread handle differs by platform; this signature is the same on both.
int st_thread_spawn_detached(void *(*start)(void *), void *argument, size_t stack_size);

#endif
