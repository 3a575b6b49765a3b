/* Preloaded before libfaketime by tests/faketime.sh: a monotonic sleep goes
 * straight to the kernel.
 *
 * With FAKETIME_DONT_FAKE_MONOTONIC=1 (faketime --exclude-monotonic),
 * libfaketime 0.9.10 (Debian 12) still shifts an absolute CLOCK_MONOTONIC
 * deadline by the faked offset, so Python 3.11's time.sleep, which sleeps
 * until such a deadline, fails with EINVAL (libfaketime issue #426, fixed in
 * 0.9.11). The monotonic clock is not faked here, so there is nothing to shift.
 * Other clocks go on to libfaketime.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef int (*nanosleep_fn)(clockid_t, int, const struct timespec *, struct timespec *);

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
    if (clock == CLOCK_MONOTONIC) {
        int saved = errno; /* clock_nanosleep returns its error and leaves errno alone */
        int result = syscall(SYS_clock_nanosleep, clock, flags, req, rem) == 0 ? 0 : errno;
        errno = saved;
        return result;
    }
    static nanosleep_fn next;
    if (next == NULL)
        next = (nanosleep_fn)dlsym(RTLD_NEXT, "clock_nanosleep");
    return next(clock, flags, req, rem);
}
