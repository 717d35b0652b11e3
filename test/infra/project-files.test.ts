/**
 * The files around the program: Pulumi.yaml runs infra/index.ts through tsx, the documented example
 * config is a valid config, and the image's entry point is the one the task definitions call.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseStackConfig } from '../../infra/config.ts';
import { REPO_ROOT } from '../../infra/lambda-bundles.ts';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

describe('Pulumi.yaml', () => {
  it('runs infra/index.ts on nodejs through tsx', () => {
    const project = parse(read('Pulumi.yaml')) as { name: string; main: string; runtime: { name: string; options: Record<string, unknown> } };
    expect(project.name).toBe('ops');
    expect(project.runtime.name).toBe('nodejs');
    expect(project.runtime.options).toMatchObject({ typescript: false, nodeargs: '--import tsx' });
    expect(existsSync(join(REPO_ROOT, project.main))).toBe(true);
    expect(project.main).toBe('infra/index.ts');
  });
});

describe('Pulumi.example.yaml', () => {
  it('is a complete, valid stack config for this project', () => {
    const example = parse(read('Pulumi.example.yaml')) as { config: Record<string, unknown> };
    const ours = Object.fromEntries(
      Object.entries(example.config)
        .filter(([key]) => key.startsWith('ops:'))
        .map(([key, value]) => [key.slice('ops:'.length), value]),
    );
    expect(Object.keys(ours)).toEqual(expect.arrayContaining(['imageUri', 'subnetIds', 'securityGroupIds', 'alertEmails', 'autoFix', 'maxChanges']));
    const config = parseStackConfig(ours);
    expect(config.autoFix).toBe(false);
    expect(example.config['aws:region']).toEqual(expect.any(String));
  });
});

describe('Dockerfile', () => {
  it('builds on node:20-slim with production dependencies and runs bin/ops-task.mjs', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(entrypoint ?? 'null')).toEqual(['node', 'bin/ops-task.mjs']);
    expect(existsSync(join(REPO_ROOT, 'bin/ops-task.mjs'))).toBe(true);
    const copied = [...dockerfile.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    expect(copied.sort()).toEqual(['bin', 'package-lock.json', 'package.json', 'src', 'tsconfig.json']);
  });
});
