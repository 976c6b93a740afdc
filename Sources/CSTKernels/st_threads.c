#include "st_threads.h"

#include <pthread.h>

int st_thread_spawn_detached(void *(*start)(void *), void *argument, size_t stack_size) {
    pthread_attr_t attributes;
    int status = pthread_attr_init(&attributes);
    if (status != 0) return status;
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (stack_size > 0) pthread_attr_setstacksize(&attributes, stack_size);
    pthread_t thread;
    status = pthread_create(&thread, &attributes, start, argument);
    pthread_attr_destroy(&attributes);
    return status;
}
