#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

// Node 20 is supported; the SDK's notice about its future Node 22 floor is for maintainers (README), not for every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('../src/entry/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
