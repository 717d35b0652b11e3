/**
 * The environment of an `ops` child process in e2e tests: PATH and HOME, so nothing from the
 * developer's shell (AWS profiles, endpoints, credentials) leaks in, plus libfaketime's variables when
 * the suite runs under `faketime` (npm run test:dates). Without them the child would run on the wall
 * clock while the test runs on the faked one, and a sandbox filling at "today's" closes would disagree
 * with a workflow planned as of the test's today.
 */
const CLOCK_VARIABLES = /^(FAKETIME|LD_PRELOAD$|DYLD_INSERT_LIBRARIES$|DYLD_FORCE_FLAT_NAMESPACE$)/;

export function childEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && CLOCK_VARIABLES.test(name)) env[name] = value;
  return env;
}
