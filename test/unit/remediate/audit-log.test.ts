import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileAuditLog, type AuditEntry } from '../../../src/remediate/audit-log.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (phase: 'pending' | 'result', n: number): AuditEntry => ({
  entryId: `fix-r.0${n}`,
  runId: 'fix-r',
  at: '2026-01-29T23:01:00.000Z',
  who: 'unknown',
  whoUnknownReason: 'sts:GetCallerIdentity failed: NetworkingError: offline',
  action: 'fix',
  phase,
  schedule: { group: 'g', name: `n${n}`, arn: `arn:n${n}` },
  before: { targetArn: 'a' },
  after: { targetArn: 'b' },
  lastModificationDate: { before: '2026-01-29T20:47:00.000Z' },
  ...(phase === 'result' ? { result: 'ok', written: true } : {}),
});

describe('the file audit log', () => {
  it('appends one JSON line per entry, creating its directory, and reads them back in order', async () => {
    const log = createFileAuditLog(join(dir, '.ops', 'audit.jsonl'));

    await log.append(entry('pending', 1));
    await log.append(entry('result', 1));

    const text = await readFile(log.path, 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(await log.readAll()).toEqual([entry('pending', 1), entry('result', 1)]);
    expect((await stat(log.path)).mode & 0o777).toBe(0o600);
  });

  it('keeps earlier lines when appending (never rewrites the file)', async () => {
    const log = createFileAuditLog(join(dir, 'audit.jsonl'));
    await log.append(entry('pending', 1));
    const before = await readFile(log.path, 'utf8');

    await log.append(entry('pending', 2));

    expect((await readFile(log.path, 'utf8')).startsWith(before)).toBe(true);
  });

  it('skips a torn line left by a crash and reads the rest', async () => {
    const log = createFileAuditLog(join(dir, 'audit.jsonl'));
    await log.append(entry('pending', 1));
    await appendFile(log.path, '{"entryId":"fix-r.02","runId":"fix-r","pha');
    await appendFile(log.path, '\n');
    await log.append(entry('pending', 3));

    expect((await log.readAll()).map((e) => e.entryId)).toEqual(['fix-r.01', 'fix-r.03']);
  });

  it('reads a log that does not exist yet as empty', async () => {
    expect(await createFileAuditLog(join(dir, 'none.jsonl')).readAll()).toEqual([]);
  });
});
