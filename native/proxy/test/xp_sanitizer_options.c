/*
 * Sanitized test helpers only: the runtimes read these before main(), so a
 * report lands in a file the test inspects (the helper's stderr is /dev/null
 * once it serves, and its environment is not the caller's to set). Leak
 * checking is off: it needs to fork a tracer, which the helper forbids itself.
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void) { return "detect_leaks=0:abort_on_error=0:log_path=" XP_SANITIZER_LOG; }
const char *__ubsan_default_options(void) { return "print_stacktrace=1:halt_on_error=1:log_path=" XP_SANITIZER_LOG; }
