/**
 * What the status page shows, as one JSON-able document: `ops status serve` answers `/status.json`
 * with it, and every rendering (the live page, the export, the healthcheck's S3 copy) is drawn from
 * it alone, so what a browser shows and what a program reads cannot disagree.
 */
import type { CheckReport } from '../checks/report.ts';
import type { Heatmap } from './heatmap.ts';
import type { RepairRow, RepairSource } from './repairs.ts';
import type { WorkflowTimeline } from './workflow-timeline.ts';

export const StatusSection = { heatmap: 'heatmap', findings: 'findings', repairs: 'repairs', workflows: 'workflows' } as const;
export type StatusSection = (typeof StatusSection)[keyof typeof StatusSection];

/** A section whose source could not be read: shown as such on the page, never as an empty section. */
export interface SectionError {
  section: StatusSection;
  message: string;
  hint?: string;
}

export type HeatmapEvidence = 'ledger' | 'no-ledger' | 'not-started' | 'unreadable';

export interface StatusDocument {
  generatedAt: string;
  region: string;
  /** Timezone the page writes times in (the NYSE's). */
  timezone: string;
  market: CheckReport['market'];
  /** The check's own document, exactly what `ops check-schedulers --json` prints for the same instant. */
  report: CheckReport;
  heatmap: Heatmap & {
    /** Schedules summed into the last row (see foldHealthyRows); 0 when every row is shown. */
    folded: number;
    /** The schedules the heatmap covers, before folding. */
    schedules: number;
    /** Where run evidence came from; anything but `ledger` means every cell is before coverage. */
    evidence: HeatmapEvidence;
    coverageSince?: string;
  };
  repairs: { source: RepairSource; rows: RepairRow[] };
  /** Undefined when no workflow table is configured. */
  workflows?: { table: string; timelines: WorkflowTimeline[] };
  /** Runbook HTML per finding code, for the codes on the page; absent when not readable here. */
  runbooks: Record<string, string>;
  errors: SectionError[];
}
