import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/remediate/audit-log.ts';
import { buildRepairHistory, shortWho, undoCommand, type RepairSource } from '../../../src/status/repairs.ts';
import { renderRepairsHtml } from '../../../src/status/repairs-html.ts';

const OLD = 'arn:aws:ecs:us-east-1:111111111111:cluster/trading-old';
const NEW = 'arn:aws:ecs:us-east-1:111111111111:cluster/trading';
const ALICE = 'arn:aws:sts::111111111111:assumed-role/OpsOperator/alice@example.com';
const FILE: RepairSource = { kind: 'file', auditLog: '.ops/audit.jsonl' };
const TABLE: RepairSource = { kind: 'table', table: 'ops-pipeline-remediation' };

function entry(phase: 'pending' | 'result', entryId: string, at: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    entryId,
    runId: entryId.split('.')[0] ?? entryId,
    at,
    who: ALICE,
    action: 'fix',
    phase,
    schedule: { group: 'ops-pipeline', name: 'dispatcher', arn: 'arn:aws:scheduler:us-east-1:111111111111:schedule/ops-pipeline/dispatcher' },
    before: { targetArn: OLD },
    after: { targetArn: NEW },
    lastModificationDate: {},
    ...(phase === 'pending' ? { backupFile: `/home/a/.ops/backups/${entryId}.json` } : {}),
    ...extra,
  };
}

const write = (entryId: string, at: string, result: AuditEntry['result'], written: boolean, extra: Partial<AuditEntry> = {}): AuditEntry[] => [
  entry('pending', entryId, at, extra),
  entry('result', entryId, at.replace(/\.000Z$/, '.500Z'), { result, written, ...extra }),
];

const FIX = 'fix-20260129T230100000Z-aaaa.01';
const FIX2 = 'fix-20260129T230100000Z-aaaa.02';
const ROLLBACK = 'rollback-20260130T100000000Z-bbbb.01';
const DIED = 'fix-20260131T090000000Z-cccc.01';

const LOG: AuditEntry[] = [
  ...write(FIX, '2026-01-29T23:01:00.000Z', 'ok', true),
  ...write(FIX2, '2026-01-29T23:01:00.000Z', 'skipped', false, { reason: 'concurrent edit: LastModificationDate changed' }),
  ...write(ROLLBACK, '2026-01-30T10:00:00.000Z', 'ok', true, { action: 'rollback', rollsBack: FIX, before: { targetArn: NEW }, after: { targetArn: OLD } }),
  entry('pending', DIED, '2026-01-31T09:00:00.000Z'),
];

describe('buildRepairHistory', () => {
  it('pairs pending and result per entry, newest first, and links a rollback to the write it undid', () => {
    const rows = buildRepairHistory(LOG, FILE);

    expect(rows.map((r) => [r.entryId, r.action, r.status, r.at, r.undoneBy, r.rollsBack, r.undo])).toEqual([
      [DIED, 'fix', 'unfinished', '2026-01-31T09:00:00.000Z', undefined, undefined, `ops rollback ${DIED}`],
      [ROLLBACK, 'rollback', 'ok', '2026-01-30T10:00:00.000Z', undefined, FIX, `ops rollback ${ROLLBACK}`],
      [FIX2, 'fix', 'skipped', '2026-01-29T23:01:00.000Z', undefined, undefined, undefined],
      [FIX, 'fix', 'ok', '2026-01-29T23:01:00.000Z', ROLLBACK, undefined, undefined],
    ]);
    expect(rows[2]).toMatchObject({ reason: 'concurrent edit: LastModificationDate changed', written: false, who: ALICE, runId: 'fix-20260129T230100000Z-aaaa' });
    expect(rows[1]).toMatchObject({ schedule: { group: 'ops-pipeline', name: 'dispatcher' }, before: { targetArn: NEW }, after: { targetArn: OLD } });
    expect(rows[0]?.written).toBeUndefined();
  });

  it('a rollback undone by a later rollback names it and offers no undo', () => {
    const again = write('rollback-20260201T000000000Z-dddd.01', '2026-02-01T00:00:00.000Z', 'ok', true, { action: 'rollback', rollsBack: ROLLBACK });
    const rows = buildRepairHistory([...LOG, ...again], FILE);
    expect(rows.find((r) => r.entryId === ROLLBACK)).toMatchObject({ undoneBy: 'rollback-20260201T000000000Z-dddd.01' });
    expect(rows.find((r) => r.entryId === ROLLBACK)?.undo).toBeUndefined();
  });

  it('does not count a rollback that failed before writing as an undo', () => {
    const failed = write('rollback-20260201T000000000Z-eeee.01', '2026-02-01T00:00:00.000Z', 'failed', false, { action: 'rollback', rollsBack: FIX2 });
    const rows = buildRepairHistory([...write(FIX, '2026-01-29T23:01:00.000Z', 'ok', true), ...failed], FILE);
    expect(rows.find((r) => r.entryId === FIX)).toMatchObject({ undo: `ops rollback ${FIX}` });
    expect(rows.find((r) => r.entryId === FIX)?.undoneBy).toBeUndefined();
  });

  it('keeps a result with no pending entry (failed before the backup), its targets empty as recorded', () => {
    const rows = buildRepairHistory([entry('result', FIX, '2026-01-29T23:01:00.000Z', { result: 'failed', written: false, reason: 'AccessDeniedException', before: { targetArn: '' }, after: { targetArn: '' } })], FILE);
    expect(rows).toEqual([
      expect.objectContaining({ entryId: FIX, status: 'failed', written: false, reason: 'AccessDeniedException', before: { targetArn: '' }, after: { targetArn: '' } }),
    ]);
    expect(rows[0]?.undo).toBeUndefined();
  });

  it('prefers the pending entry\'s targets when the result recorded none', () => {
    const rows = buildRepairHistory([entry('pending', FIX, '2026-01-29T23:01:00.000Z'), entry('result', FIX, '2026-01-29T23:01:01.000Z', { result: 'failed', written: false, before: { targetArn: '' }, after: { targetArn: '' } })], FILE);
    expect(rows[0]).toMatchObject({ at: '2026-01-29T23:01:00.000Z', before: { targetArn: OLD }, after: { targetArn: NEW }, status: 'failed' });
  });

  it('carries account and region of org-wide entries and adds --account to their undo', () => {
    const rows = buildRepairHistory(write(FIX, '2026-01-29T23:01:00.000Z', 'ok', true, { account: '222222222222', region: 'eu-west-1' }), TABLE);
    expect(rows[0]).toMatchObject({ account: '222222222222', region: 'eu-west-1', undo: `ops rollback --from-table ops-pipeline-remediation --backup-id ${FIX} --account 222222222222` });
  });

  it('returns nothing for an empty log', () => {
    expect(buildRepairHistory([], FILE)).toEqual([]);
  });
});

describe('undoCommand', () => {
  it('names the audit log only when it is not the default, quoting what the shell would split', () => {
    expect(undoCommand(FIX, { kind: 'file', auditLog: './.ops/audit.jsonl' })).toBe(`ops rollback ${FIX}`);
    expect(undoCommand(FIX, { kind: 'file', auditLog: '/srv/ops/audit.jsonl' })).toBe(`ops rollback ${FIX} --audit-log /srv/ops/audit.jsonl`);
    expect(undoCommand(FIX, { kind: 'file', auditLog: "/srv/on call's/audit.jsonl" })).toBe(`ops rollback ${FIX} --audit-log '/srv/on call'\\''s/audit.jsonl'`);
  });

  it('uses --from-table and --backup-id for the remediation table', () => {
    expect(undoCommand(FIX, TABLE)).toBe(`ops rollback --from-table ops-pipeline-remediation --backup-id ${FIX}`);
  });
});

describe('shortWho', () => {
  it('shows the session of an assumed role, the name of a user, anything else whole', () => {
    expect(shortWho(ALICE)).toBe('alice@example.com');
    expect(shortWho('arn:aws:iam::111111111111:user/ops/bob')).toBe('bob');
    expect(shortWho('arn:aws:iam::111111111111:root')).toBe('arn:aws:iam::111111111111:root');
    expect(shortWho('unknown')).toBe('unknown');
  });
});

describe('renderRepairsHtml', () => {
  const formatTime = (iso: string) => `NY ${iso.slice(11, 16)}`;
  const html = renderRepairsHtml(buildRepairHistory(LOG, FILE), { formatTime, source: FILE });

  it('draws a captioned table with scoped column headers and one row per write', () => {
    expect(html).toContain('<caption>Repair history</caption>');
    expect(html).toContain('<th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Result</th><th scope="col">Undo</th>');
    expect(html.match(/<tr class="repair /g)).toHaveLength(4);
    expect(html).toContain('<time datetime="2026-01-31T09:00:00.000Z">NY 09:00</time>');
  });

  it('shows who by session name, with the full ARN in a title and for screen readers', () => {
    expect(html).toContain(`<span title="${ALICE}">alice@example.com</span><span class="visually-hidden"> (${ALICE})</span>`);
  });

  it('says what changed with cluster names, keeping the ARNs', () => {
    expect(html).toContain(`fix <strong>ops-pipeline/dispatcher</strong>: <span title="${OLD}">trading-old</span><span class="visually-hidden"> (${OLD})</span> → <span title="${NEW}">trading</span>`);
    expect(html).toContain(`rollback of ${FIX} <strong>ops-pipeline/dispatcher</strong>`);
  });

  it('gives every result a word next to its symbol, and explains an unfinished write', () => {
    expect(html).toMatch(/<tr class="repair status-unfinished" data-entry-id="[^"]+">/);
    expect(html).toContain('<span class="result-symbol" aria-hidden="true">⚠</span> unfinished: the process stopped between backup and result; check the schedule');
    expect(html).toContain('<span class="result-symbol" aria-hidden="true">⤼</span> skipped <span class="reason">concurrent edit: LastModificationDate changed</span>');
    expect(html).toContain('<span class="result-symbol" aria-hidden="true">✓</span> done');
  });

  it('puts the undo command in code, or who undid it, or a dash', () => {
    expect(html).toContain(`<td class="undo" data-label="Undo"><code class="undo-command">ops rollback ${ROLLBACK}</code></td>`);
    expect(html).toContain(`<td class="undo" data-label="Undo"><span class="undone-by">undone by ${ROLLBACK}</span></td>`);
    expect(html).toContain('<td class="undo" data-label="Undo">—<span class="visually-hidden"> nothing to undo</span></td>');
  });

  it('escapes what the log says and keeps an unknown caller\'s reason', () => {
    const rows = buildRepairHistory(write(FIX, '2026-01-29T23:01:00.000Z', 'failed', false, { who: 'unknown', whoUnknownReason: 'sts <offline>', reason: 'a <b>bad</b> "day"' }), FILE);
    const out = renderRepairsHtml(rows, { formatTime, source: FILE });
    expect(out).toContain('unknown (sts &lt;offline&gt;)');
    expect(out).toContain('a &lt;b&gt;bad&lt;/b&gt; &quot;day&quot;');
    expect(out).not.toContain('<b>');
  });

  it('says where it looked when there is nothing', () => {
    expect(renderRepairsHtml([], { formatTime, source: FILE })).toBe('<p class="repairs-empty">No repairs recorded in .ops/audit.jsonl.</p>');
    expect(renderRepairsHtml([], { formatTime, source: TABLE })).toBe('<p class="repairs-empty">No repairs recorded in DynamoDB table ops-pipeline-remediation.</p>');
  });
});
