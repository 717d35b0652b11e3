import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/checks/run-check.ts';
import type { ScheduleFacts } from '../../../src/checks/model.ts';
import { runLocalWorkflow } from '../../../src/entry/wiring/local-workflow.ts';
import { readRunbook } from '../../../src/entry/wiring/status-ports.ts';
import { nyse } from '../../../src/market/index.ts';
import type { AuditEntry } from '../../../src/remediate/audit-log.ts';
import { collectStatus, STATUS_DEFAULTS, type StatusPorts } from '../../../src/status/collect-status.ts';
import { renderStatusPage, renderStatusSections } from '../../../src/status/page-html.ts';
import { liveRefreshScript } from '../../../src/status/page-live.ts';
import type { StatusDocument } from '../../../src/status/status-document.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { arn, createFakePorts, lambdaSchedule, lookupError, missing, scheduleFacts, type FakeAwsInput } from '../../support/check-fixtures.ts';

const NOW = new Date('2026-11-23T15:00:00Z');
const SECTIONS = ['summary', 'heatmap', 'findings', 'repairs', 'workflows'] as const;

const FIX_ID = 'fix-20261123T143000000Z-aaaa.01';
const fixEntry = (phase: 'pending' | 'result', at: string): AuditEntry => ({
  entryId: FIX_ID,
  runId: 'fix-20261123T143000000Z-aaaa',
  at,
  who: 'arn:aws:sts::123456789012:assumed-role/OpsOperator/alice@example.com',
  action: 'fix',
  phase,
  schedule: { group: 'trading', name: 'ecs-a', arn: arn.schedule('trading', 'ecs-a') },
  before: { targetArn: arn.cluster('old') },
  after: { targetArn: arn.cluster('trading') },
  lastModificationDate: {},
  ...(phase === 'pending' ? { backupFile: `/home/a/.ops/backups/${FIX_ID}.json` } : { result: 'ok', written: true }),
});

/** Every section filled: findings with their real runbooks, one repair, one workflow, ledger evidence. */
async function documentOf(input: FakeAwsInput, over: Partial<StatusPorts> = {}): Promise<StatusDocument> {
  const store = new MemoryWorkflowStore();
  let t = NOW.getTime() - 30 * 60_000;
  await runLocalWorkflow({ clock: { now: () => new Date((t += 250)) }, store, correlationId: 'wf-page', asOf: '2026-11-20' });
  const ports: StatusPorts = {
    check: (now) => runCheck(createFakePorts(input).ports, { now, region: 'us-east-1', calendar: nyse, marketCriticalPatterns: [] }),
    ledger: { coverage: () => Promise.resolve(new Date('2026-11-01T00:00:00Z')), runsSince: () => Promise.resolve([{ runAt: new Date('2026-11-23T14:30:04Z') }]) },
    audit: { source: { kind: 'file', auditLog: '.ops/audit.jsonl' }, readAll: () => Promise.resolve([fixEntry('pending', '2026-11-23T14:30:00.000Z'), fixEntry('result', '2026-11-23T14:30:01.000Z')]) },
    workflows: { table: 'ops-workflows', list: (query) => store.list(query) },
    runbook: readRunbook,
    ...over,
  };
  return collectStatus(ports, { now: NOW, hours: 2, bucketMinutes: 15, graceMinutes: 2, maxRows: STATUS_DEFAULTS.maxRows, calendar: nyse, concurrency: 4, workflowLimit: 20 });
}

const FLEET: ScheduleFacts[] = [scheduleFacts('ecs-a'), scheduleFacts('ecs-b', { target: { deadLetterArn: undefined } }), lambdaSchedule('lam', 'gone')];
const healthyInput = (): FakeAwsInput => ({ schedules: FLEET, functions: { [arn.function('gone')]: missing() } });

/** The text of the `<section id=…>` element (sections do not nest). */
const sectionOf = (html: string, id: string): string => new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';

describe('renderStatusPage: the export', () => {
  it('fills every section from one document (the fixture is not trivially empty)', async () => {
    const doc = await documentOf(healthyInput());
    expect(doc.report.findings.length).toBeGreaterThan(0);
    expect(Object.keys(doc.runbooks).length).toBeGreaterThan(0);
    expect(doc.repairs.rows).toHaveLength(1);
    expect(doc.workflows?.timelines).toHaveLength(1);
    const html = renderStatusPage(doc);
    for (const id of SECTIONS) expect(html.split(`<section id="${id}"`)).toHaveLength(2);
    expect(sectionOf(html, 'findings')).toContain('data-code="TARGET_FUNCTION_MISSING"');
    expect(sectionOf(html, 'repairs')).toContain(FIX_ID);
    expect(sectionOf(html, 'workflows')).toContain('wf-page');
  });

  it('loads nothing: no script, no src, no link, no url(), no http(s) address anywhere', async () => {
    const html = renderStatusPage(await documentOf(healthyInput()));
    // The runbooks are rendered in full (their markdown holds no links today: grep -l http runbooks/ is empty).
    expect(html).toContain('<details class="runbook"');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\ssrc\s*=/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|video|audio|source)\b/i);
    // Links only move within the page.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(0);
    // Links move within the page, or are a runbook's relative link to a sibling file (no scheme, no
    // host: a click, never a load). Those go nowhere beside an export; reported to the lead.
    expect(hrefs.filter((href) => !/^#|^[A-Za-z0-9_-]+\.md(#[a-z0-9-]+)?$/.test(href ?? ''))).toEqual([]);
    expect(html).toContain('it does not refresh.');
  });

  it('says no workflow table is configured when there is none', async () => {
    const doc = await documentOf(healthyInput());
    const { workflows: _dropped, ...without } = doc;
    expect(sectionOf(renderStatusPage(without), 'workflows')).toContain('No workflow table configured');
  });
});

describe('renderStatusPage: the live page', () => {
  it('carries exactly one script, the live-refresh script for its interval and path', async () => {
    const doc = await documentOf(healthyInput());
    const html = renderStatusPage(doc, { live: { refreshSeconds: 30, sectionsPath: 'sections' } });
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)];
    expect(scripts).toHaveLength(1);
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(scripts[0]![1]).toBe(liveRefreshScript(30, 'sections'));
    expect(html).toContain('role="status" aria-live="polite">Live: refreshes every 30 s.');
    for (const id of SECTIONS) expect(html.split(`<section id="${id}"`)).toHaveLength(2);
  });

  it('wraps exactly the sections the script swaps in', async () => {
    const doc = await documentOf(healthyInput());
    const html = renderStatusPage(doc, { live: { refreshSeconds: 30, sectionsPath: 'sections' } });
    expect(html).toContain(`<main id="status-main" data-generated-at="${NOW.toISOString()}">\n${renderStatusSections(doc)}\n</main>`);
  });
});

describe('renderStatusSections: errors, blindness, escaping', () => {
  it('renders a section error inside its section with role="alert", escaped', async () => {
    const doc = await documentOf(healthyInput());
    const withErrors: StatusDocument = {
      ...doc,
      errors: [
        { section: 'repairs', message: 'The repair history could not be read: <EACCES> & more' },
        { section: 'heatmap', message: 'The run ledger could not be read: denied', hint: 'Check "the" table.' },
      ],
    };
    const html = renderStatusSections(withErrors);
    expect(sectionOf(html, 'repairs')).toContain('<p class="section-error" role="alert"><strong>Not shown:</strong> The repair history could not be read: &lt;EACCES&gt; &amp; more</p>');
    expect(sectionOf(html, 'heatmap')).toContain('role="alert"><strong>Not shown:</strong> The run ledger could not be read: denied Check &quot;the&quot; table.</p>');
    expect(sectionOf(html, 'workflows')).not.toContain('role="alert"');
    expect(renderStatusSections(doc)).not.toContain('role="alert"');
  });

  it('a blind check shows the blind banner in the summary', async () => {
    const doc = await documentOf({ schedules: FLEET, listSchedulesError: lookupError('scheduler:ListSchedules', 'ExpiredTokenException', 'The security token included in the request is expired') });
    expect(doc.report.blind).toBeDefined();
    const summary = sectionOf(renderStatusPage(doc), 'summary');
    expect(summary).toContain('<p class="section-error" role="alert"><strong>The check could not see:</strong>');
    expect(summary).toContain('The security token included in the request is expired');
    expect(summary).toContain('✗ Needs attention');
  });

  it('escapes markup in a finding message and fix', async () => {
    const doc = await documentOf(healthyInput());
    const evil = '<img src=x onerror=alert(1)>';
    const [first, ...rest] = doc.report.findings;
    const hostile: StatusDocument = { ...doc, report: { ...doc.report, findings: [{ ...first!, message: `${evil} "quoted" 'single'`, fix: `ops fix ${evil}` }, ...rest] } };
    const html = renderStatusPage(hostile);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &#39;single&#39;');
    expect(html).toContain('<code>ops fix &lt;img src=x onerror=alert(1)&gt;</code>');
  });
});
