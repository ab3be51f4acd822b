// pipe(): a new anonymous pipe, [read end, write end], both close-on-exec.
// Node makes none itself (a child's stdio "pipes" are socket pairs, which
// Linux will not reopen through /proc/self/fd: a job's `tee /dev/stderr`
// failed with ENXIO); without this, Shark makes a FIFO with `mkfifo`, a
// process started per launcher (exec/output-pipe.ts).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "shark.h"

napi_value shark_pipe(napi_env env, napi_callback_info info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    napi_throw_error(env, NULL, strerror(errno));
    return NULL;
  }
  napi_value ends, read_end, write_end;
  if (napi_create_array_with_length(env, 2, &ends) != napi_ok || napi_create_int32(env, fds[0], &read_end) != napi_ok ||
      napi_create_int32(env, fds[1], &write_end) != napi_ok || napi_set_element(env, ends, 0, read_end) != napi_ok ||
      napi_set_element(env, ends, 1, write_end) != napi_ok) {
    close(fds[0]);
    close(fds[1]);
    return NULL;
  }
  return ends;
}
