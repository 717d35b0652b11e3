/**
 * `npm run bench [-- name …]`: runs the benchmark scripts and prints their figures. Benchmarks are
 * measurements, never pass/fail tests; each prints its targets next to what it measured.
 */
import { runCheckBench } from './check.bench.ts';
import { runHealthcheckBench } from './healthcheck.bench.ts';
import { runOrgBench } from './org.bench.ts';
import { runRemediateBench } from './remediate.bench.ts';
import { runSandboxBench } from './sandbox.bench.ts';
import { runScheduleBench } from './schedule.bench.ts';
import { runWorkflowBench } from './workflow.bench.ts';

const benches: Record<string, () => Promise<unknown>> = {
  schedule: runScheduleBench,
  sandbox: runSandboxBench,
  check: runCheckBench,
  remediate: runRemediateBench,
  healthcheck: runHealthcheckBench,
  workflow: runWorkflowBench,
  org: runOrgBench,
};

// Node 20 is supported; the SDK's notice about its future Node 22 floor would only clutter the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  process.exitCode = 2;
} else {
  for (const [name, run] of Object.entries(benches)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    console.log(`\n=== bench: ${name} ===`);
    await run();
  }
}
