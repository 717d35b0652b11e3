import tseslint from 'typescript-eslint';
import vitest from '@vitest/eslint-plugin';

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
        { selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']", message: 'Only src/cli/main.ts sets the exit code.' },
      ],
    },
  },
  {
    // The trading workflow never waits on a timer for another component (the old orchestrator's
    // 300 s wait loop): completion is observed through events and the store. The in-memory bus's
    // delay knob is the one timer allowed; only src/aws talks to the AWS SDK.
    files: ['src/trading/**/*.ts'],
    ignores: ['src/trading/memory-bus.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'No timers in src/trading: react to events or read the store; time out with the sweeper.' },
        { name: 'setInterval', message: 'No polling loops in src/trading: react to events or read the store.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:timers/promises', message: 'No sleeping in src/trading: react to events or read the store.' },
            { name: 'node:timers', message: 'No timers in src/trading.' },
          ],
          patterns: [{ group: ['@aws-sdk/*'], message: 'Only src/aws imports the AWS SDK; depend on a port.' }],
        },
      ],
    },
  },
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
