/*
 * threads.c: what an OS thread costs, measured with pthreads; the C half of
 * data/threads-vs-goroutines (goroutines/main.go is the Go half). record.py builds it
 * with `gcc -O2 -pthread` and runs it several times; each run prints one JSON object.
 *
 *   create_join_ns         pthread_create + pthread_join of a thread that returns at
 *                          once, ns per thread (the 1:1 analogue of spawn-run-exit)
 *   create_blocked_ns      pthread_create of N threads that then block, ns per thread
 *   rss/vm_per_thread      VmRSS and VmSize growth (/proc/self/status) per blocked
 *                          thread: the default stack is RLIMIT_STACK of *virtual*
 *                          memory, of which only the touched pages become resident
 *   futex_pingpong_*_ns    two threads hand a token back and forth with FUTEX_WAIT /
 *                          FUTEX_WAKE, ns per one-way hand-off: "same_cpu" pins both to
 *                          one CPU (a pure context switch), "any_cpu" lets them run on
 *                          two (a cross-CPU wake-up)
 *   pipe_pingpong_*_ns     the same hand-off over two pipes (read/write syscalls)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <gnu/libc-version.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long status_kib(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long value = -1;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            value = strtol(line + len + 1, NULL, 10);
            break;
        }
    }
    if (f) fclose(f);
    return value;
}

static void die(const char *what, int err) {
    fprintf(stderr, "threads: %s: %s\n", what, strerror(err));
    exit(1);
}

static void *return_at_once(void *arg) { return arg; }

/* --- blocked threads: wait on a condition variable until released --- */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static int gate_open = 0, ready_count = 0;

static void *block_until_released(void *arg) {
    pthread_mutex_lock(&gate_mu);
    ready_count++;
    pthread_cond_signal(&ready_cv);
    while (!gate_open) pthread_cond_wait(&gate_cv, &gate_mu);
    pthread_mutex_unlock(&gate_mu);
    return arg;
}

/* --- futex ping-pong --- */
static _Atomic int turn; /* 0: ping's turn, 1: pong's turn */
static long rounds_g;
static int pin_cpu = -1;

static void futex_wait(_Atomic int *addr, int val) {
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}
static void futex_wake(_Atomic int *addr) {
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void pin_self(void) {
    if (pin_cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(pin_cpu, &set);
    int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (err) die("pthread_setaffinity_np", err);
}

static void *pong_futex(void *arg) {
    pin_self();
    for (long i = 0; i < rounds_g; i++) {
        while (atomic_load(&turn) != 1) futex_wait(&turn, 0);
        atomic_store(&turn, 0);
        futex_wake(&turn);
    }
    return arg;
}

static double futex_pingpong(long rounds, int cpu) {
    pthread_t t;
    rounds_g = rounds;
    pin_cpu = cpu;
    atomic_store(&turn, 0);
    int err = pthread_create(&t, NULL, pong_futex, NULL);
    if (err) die("pthread_create", err);
    pin_self();
    double start = now_ns();
    for (long i = 0; i < rounds; i++) {
        atomic_store(&turn, 1);
        futex_wake(&turn);
        while (atomic_load(&turn) != 0) futex_wait(&turn, 1);
    }
    double elapsed = now_ns() - start;
    pthread_join(t, NULL);
    return elapsed / (2.0 * (double)rounds);
}

/* --- pipe ping-pong --- */
static int ping_fd[2], pong_fd[2];

static void *pong_pipe(void *arg) {
    pin_self();
    char c;
    for (long i = 0; i < rounds_g; i++) {
        if (read(ping_fd[0], &c, 1) != 1) die("read", errno);
        if (write(pong_fd[1], &c, 1) != 1) die("write", errno);
    }
    return arg;
}

static double pipe_pingpong(long rounds, int cpu) {
    pthread_t t;
    rounds_g = rounds;
    pin_cpu = cpu;
    if (pipe(ping_fd) || pipe(pong_fd)) die("pipe", errno);
    int err = pthread_create(&t, NULL, pong_pipe, NULL);
    if (err) die("pthread_create", err);
    pin_self();
    char c = 'x';
    double start = now_ns();
    for (long i = 0; i < rounds; i++) {
        if (write(ping_fd[1], &c, 1) != 1) die("write", errno);
        if (read(pong_fd[0], &c, 1) != 1) die("read", errno);
    }
    double elapsed = now_ns() - start;
    pthread_join(t, NULL);
    close(ping_fd[0]); close(ping_fd[1]); close(pong_fd[0]); close(pong_fd[1]);
    return elapsed / (2.0 * (double)rounds);
}

static void unpin_main(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c = 0; c < CPU_SETSIZE; c++) CPU_SET(c, &set);
    sched_setaffinity(0, sizeof set, &set);
}

int main(int argc, char **argv) {
    long n_create = argc > 1 ? atol(argv[1]) : 20000;   /* create+join iterations */
    long n_blocked = argc > 2 ? atol(argv[2]) : 1000;   /* threads kept alive at once */
    long rounds = argc > 3 ? atol(argv[3]) : 100000;    /* ping-pong round trips */
    if (n_create <= 0 || n_blocked <= 0 || rounds <= 0) {
        fprintf(stderr, "usage: threads [n_create>0] [n_blocked>0] [rounds>0]\n");
        return 2;
    }

    pthread_attr_t attr;
    size_t default_stack = 0, guard = 0;
    pthread_attr_init(&attr);
    pthread_getattr_default_np(&attr);
    pthread_attr_getstacksize(&attr, &default_stack);
    pthread_attr_getguardsize(&attr, &guard);
    pthread_attr_destroy(&attr);
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);

    /* Blocked threads first, while the process is fresh: memory and creation cost. */
    pthread_t *ts = calloc((size_t)n_blocked, sizeof *ts);
    if (!ts) die("calloc", ENOMEM);
    long rss0 = status_kib("VmRSS"), vm0 = status_kib("VmSize");
    double start = now_ns();
    for (long i = 0; i < n_blocked; i++) {
        int err = pthread_create(&ts[i], NULL, block_until_released, NULL);
        if (err) die("pthread_create (blocked)", err);
    }
    double create_blocked = (now_ns() - start) / (double)n_blocked;
    pthread_mutex_lock(&gate_mu);
    while (ready_count < n_blocked) pthread_cond_wait(&ready_cv, &gate_mu);
    pthread_mutex_unlock(&gate_mu);
    long rss1 = status_kib("VmRSS"), vm1 = status_kib("VmSize");
    long threads_now = status_kib("Threads");
    pthread_mutex_lock(&gate_mu);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
    for (long i = 0; i < n_blocked; i++) pthread_join(ts[i], NULL);
    free(ts);

    /* create + join, one at a time (glibc reuses the cached stack of the last thread) */
    start = now_ns();
    for (long i = 0; i < n_create; i++) {
        pthread_t t;
        int err = pthread_create(&t, NULL, return_at_once, NULL);
        if (err) die("pthread_create", err);
        pthread_join(t, NULL);
    }
    double create_join = (now_ns() - start) / (double)n_create;

    double futex_same = futex_pingpong(rounds, 0);
    unpin_main();
    double futex_any = futex_pingpong(rounds, -1);
    double pipe_same = pipe_pingpong(rounds, 0);
    unpin_main();
    double pipe_any = pipe_pingpong(rounds, -1);

    printf("{\n");
    printf("  \"glibc_version\": \"%s\",\n", gnu_get_libc_version());
    printf("  \"params\": {\"n_create\": %ld, \"n_blocked\": %ld, \"rounds\": %ld},\n",
           n_create, n_blocked, rounds);
    printf("  \"default_stack_bytes\": %zu,\n", default_stack);
    printf("  \"guard_bytes\": %zu,\n", guard);
    printf("  \"rlimit_stack_bytes\": %lld,\n",
           rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long)rl.rlim_cur);
    printf("  \"threads_alive_at_peak\": %ld,\n", threads_now);
    printf("  \"create_blocked_ns\": %.1f,\n", create_blocked);
    printf("  \"rss_per_thread_bytes\": %.1f,\n", (double)(rss1 - rss0) * 1024.0 / (double)n_blocked);
    printf("  \"vm_per_thread_bytes\": %.1f,\n", (double)(vm1 - vm0) * 1024.0 / (double)n_blocked);
    printf("  \"create_join_ns\": %.1f,\n", create_join);
    printf("  \"futex_pingpong_same_cpu_ns\": %.1f,\n", futex_same);
    printf("  \"futex_pingpong_any_cpu_ns\": %.1f,\n", futex_any);
    printf("  \"pipe_pingpong_same_cpu_ns\": %.1f,\n", pipe_same);
    printf("  \"pipe_pingpong_any_cpu_ns\": %.1f\n", pipe_any);
    printf("}\n");
    return 0;
}
