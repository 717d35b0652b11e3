/**
 * The demo's status page follows the demo: each `ops` command it runs moves the page to that
 * command's virtual instant and to its --audit-log, on the sandbox the demo seeded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoStatus, type DemoStatus } from '../../src/entry/demo/demo-status.ts';
import type { StatusDocument } from '../../src/status/status-document.ts';
import { seededSandbox, type SeededSandbox } from './sandbox-harness.ts';

const SEEDED = new Date('2026-01-29T14:29:00Z');
const LATER = new Date('2026-01-29T14:40:00Z');

describe('the demo status page', () => {
  let sb: SeededSandbox;
  let status: DemoStatus;

  beforeAll(async () => {
    sb = await seededSandbox('incident-2026-01-29', SEEDED);
    await sb.firer.advanceTo(LATER);
    status = await startDemoStatus({ endpoint: sb.endpoint, region: sb.scenario.region, auditLog: '/nonexistent/first.jsonl', start: SEEDED });
  });
  afterAll(async () => {
    await status?.close();
  });

  const fetchDoc = async (): Promise<StatusDocument> => {
    const response = await fetch(`${status.url}status.json`);
    expect(response.status).toBe(200);
    return (await response.json()) as StatusDocument;
  };

  it('serves on 127.0.0.1 and moves to the instant and audit log of the last command the demo ran', async () => {
    expect(status.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const ran: string[][] = [];
    const ops = status.follow((argv) => {
      ran.push(argv);
      return Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
    });
    await ops(['check-schedulers', '--fix', '--yes', '--audit-log', '/tmp/ops-demo-part/audit.jsonl'], LATER);
    expect(ran).toHaveLength(1);
    const doc = await fetchDoc();
    expect(doc.generatedAt).toBe(LATER.toISOString());
    expect(doc.repairs.source).toEqual({ kind: 'file', auditLog: '/tmp/ops-demo-part/audit.jsonl' });
    // The incident as the sandbox has it: the 12 broken schedules, and missed cells only on them
    // (every one-minute schedule among them by 14:40Z; the rarer ones may not be due yet).
    const broken = new Set(sb.scenario.schedules.filter((s) => s.plantedFault === 'TARGET_CLUSTER_NOT_FOUND').map((s) => `${s.group}/${s.name}`));
    expect(doc.report.findings.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND')).toHaveLength(12);
    const missed = doc.heatmap.rows.filter((r) => r.cells.some((c) => c.state === 'missed')).map((r) => r.id);
    expect(missed.every((id) => broken.has(id))).toBe(true);
    expect(missed).toEqual(expect.arrayContaining(['ops-pipeline/ops-pipeline-feature-computer-1m', 'ops-pipeline/ops-pipeline-telemetry-ingestor-1m', 'ops-pipeline-market/position-manager-1min']));
    expect(doc.workflows).toBeUndefined();
  });
});
