// The functions of Shark's native module other than stat.c's own, which registers them.
#include <node_api.h>

napi_value shark_pipe(napi_env env, napi_callback_info info);
