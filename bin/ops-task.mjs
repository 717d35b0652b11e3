#!/usr/bin/env node
// The ECS task entry: `ops-task dispatcher`. Runs the TypeScript sources through tsx, like bin/ops.mjs.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { opsTaskMain } = await import('../src/entry/task/trading-task.ts');
process.exitCode = await opsTaskMain(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => new Date(),
});
