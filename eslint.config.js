import tseslint from 'typescript-eslint';
import vitest from '@vitest/eslint-plugin';

/**
 * Dependencies point one way: src/entry (CLI, Lambda handlers, the ECS task, wiring) may import
 * anything; the domain folders hold logic and ports and import neither adapters nor entry points;
 * src/aws holds adapters that import port types and neutral helpers only; the neutral modules at
 * src/*.ts import no folder. Patterns match the import specifier, so `(\.\./)+aws/` is "src/aws from
 * anywhere below src". test/unit/architecture.test.ts checks the resolved graph has no cycle.
 */
const DOMAIN = ['schedule', 'market', 'checks', 'remediate', 'alerts', 'ledger', 'healthcheck', 'trading', 'status'];
const SDK = { group: ['@aws-sdk/*'], message: 'Only src/aws (and the sandbox\'s own adapters in src/sandbox/aws) import the AWS SDK; depend on a port.' };
const away = (folders, why) => ({ regex: `^(\\.\\./)+(${folders.join('|')})/`, message: why });

function layerRules() {
  const domainBans = [
    away(['aws'], 'Domain code depends on ports; the adapter is wired in src/entry.'),
    away(['entry'], 'Entry points import the domain, never the other way round.'),
    away(['sandbox'], 'The sandbox is a local stand-in for AWS: wire it in src/entry.'),
    SDK,
  ];
  const timers = [
    { name: 'node:timers/promises', message: 'No sleeping in src/trading: react to events or read the store.' },
    { name: 'node:timers', message: 'No timers in src/trading.' },
  ];
  return [
    { files: DOMAIN.map((d) => `src/${d}/**/*.ts`), rules: { 'no-restricted-imports': ['error', { patterns: domainBans }] } },
    {
      // The trading rooms: domain and ports know no adapter, so a second broker or market-data source
      // goes into trading/adapters and is chosen in src/entry. The workflow never waits on a timer for
      // another component (the old orchestrator's 300 s wait loop): completion is observed through
      // events and the store. The in-memory bus's delay knob is the one timer allowed.
      files: ['src/trading/**/*.ts'],
      ignores: ['src/trading/adapters/memory-bus.ts'],
      rules: {
        'no-restricted-globals': [
          'error',
          { name: 'setTimeout', message: 'No timers in src/trading: react to events or read the store; time out with the sweeper.' },
          { name: 'setInterval', message: 'No polling loops in src/trading: react to events or read the store.' },
        ],
        'no-restricted-imports': ['error', { paths: timers, patterns: domainBans }],
      },
    },
    {
      files: ['src/trading/domain/**/*.ts', 'src/trading/ports/**/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          { paths: timers, patterns: [...domainBans, { regex: '(^|/)adapters/', message: 'Trading domain and ports know no adapter; wire adapters in src/entry.' }] },
        ],
      },
    },
    {
      files: ['src/aws/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: [away(['entry', 'sandbox'], 'Adapters implement ports; they never import entry points or the sandbox.')] }] },
    },
    {
      files: ['src/sandbox/**/*.ts'],
      ignores: ['src/sandbox/aws/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: [away(['entry'], 'The sandbox is wired by src/entry, not the other way round.'), SDK] }] },
    },
    {
      files: ['src/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\./[^/]+/', message: 'Neutral modules (src/*.ts) import no folder: every folder may import them.' }, SDK] }] },
    },
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.ops/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Commands and ports are async by contract even when one implementation has nothing to await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']", message: 'Only src/entry/cli/main.ts sets the exit code.' },
      ],
    },
  },
  // ── Layers: entry points → domain ← adapters. Each rule below is one arrow that may not be drawn. ──
  ...layerRules(),
  {
    files: ['test/**/*.ts'],
    plugins: { vitest },
    rules: {
      'vitest/no-focused-tests': 'error',
      'vitest/no-disabled-tests': 'error',
      'vitest/expect-expect': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
