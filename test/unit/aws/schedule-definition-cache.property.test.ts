/**
 * The definition cache can never hide a change: whatever the memory tier and the DynamoDB table hold
 * (entries at other dates, facts whose own date disagrees with the entry's, entries naming another
 * schedule, items of another layout), the reader returns, for every listing with a
 * LastModificationDate, facts at exactly that date, and reads every listing without one with
 * GetSchedule. Dates come from a pool of three so that stale and matching entries collide often.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduleDefinitionCache, layeredDefinitionCache, type CachedDefinition } from '../../../src/aws/schedule-definition-cache.ts';
import { createDynamoDefinitionCache } from '../../../src/aws/schedule-definition-store.ts';
import { createSchedulerReader, toScheduleFacts } from '../../../src/aws/scheduler-reader.ts';
import type { ScheduleListing } from '../../../src/checks/ports.ts';
import { fakeDefinitionTable, getScheduleOutput, scheduleArn, type FleetSchedule } from './definition-fakes.ts';
import { OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const TABLE = 'definitions';
const NAMES = ['open', 'close', 'rebalance', 'sweep'] as const;
const DATES = [new Date('2026-11-20T10:00:00.000Z'), new Date('2026-11-20T10:00:00.001Z'), new Date('2026-11-21T09:30:00.000Z')] as const;

const docMock = mockClient(DynamoDBDocumentClient);
const schedulerMock = mockClient(SchedulerClient);
const scheduler = new SchedulerClient(OFFLINE_CLIENT_CONFIG);
const dynamo = new DynamoDBClient(OFFLINE_CLIENT_CONFIG);

const date = fc.constantFrom(...DATES);
const name = fc.constantFrom(...NAMES);

/** An entry as some tier might hold it: any date, facts of any date (or none) and of any schedule. */
const entry = fc.record({
  lastModified: date,
  factsDate: fc.option(date, { nil: undefined }),
  factsName: name,
  expression: fc.constantFrom('rate(1 minute)', 'rate(2 hours)', 'cron(0 9 ? * MON-FRI *)'),
});
type EntrySpec = typeof entry extends fc.Arbitrary<infer T> ? T : never;

const world = fc.record({
  /** ListSchedules' date per schedule; undefined: the listing carries none. */
  listed: fc.tuple(...NAMES.map(() => fc.option(date, { nil: undefined }))),
  memory: fc.tuple(...NAMES.map(() => fc.option(entry, { nil: undefined }))),
  table: fc.tuple(...NAMES.map(() => fc.option(fc.record({ spec: entry, format: fc.constantFrom(1, 1, 1, 2) }), { nil: undefined }))),
});

function cached(spec: EntrySpec): CachedDefinition {
  const s: FleetSchedule = { group: 'trading', name: spec.factsName, expression: spec.expression, modified: spec.factsDate ?? DATES[0] };
  const facts = toScheduleFacts(s, getScheduleOutput(s));
  if (spec.factsDate === undefined) delete facts.lastModificationDate;
  return { lastModified: spec.lastModified.getTime(), facts };
}

describe('no cache state hides a change', () => {
  it('returns facts at exactly the listed LastModificationDate, and reads undated listings with GetSchedule', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ listed, memory, table }) => {
        docMock.reset();
        schedulerMock.reset();
        // AWS's truth: each schedule as of its listed date (an undated listing's schedule is at DATES[2]).
        schedulerMock.on(GetScheduleCommand).callsFake((input: { GroupName: string; Name: string }) => {
          const i = NAMES.indexOf(input.Name as (typeof NAMES)[number]);
          return getScheduleOutput({ group: input.GroupName, name: input.Name, expression: 'rate(5 minutes)', modified: listed[i] ?? DATES[2] });
        });
        const items = fakeDefinitionTable(docMock, TABLE);
        const front = createScheduleDefinitionCache();
        NAMES.forEach((n, i) => {
          const m = memory[i];
          if (m !== undefined) front.set({ group: 'trading', name: n }, cached(m));
          const t = table[i];
          if (t !== undefined) {
            const c = cached(t.spec);
            items.set(scheduleArn('trading', n), { arn: scheduleArn('trading', n), lastModified: c.lastModified, facts: JSON.stringify(c.facts), format: t.format });
          }
        });

        const listings: ScheduleListing[] = NAMES.map((n, i) => ({
          group: 'trading',
          name: n,
          arn: scheduleArn('trading', n),
          state: 'ENABLED',
          targetArn: 'x',
          ...(listed[i] !== undefined ? { lastModificationDate: listed[i] } : {}),
        }));
        // Two processes in a row: the first with the arbitrary memory, the second cold over what the first left in the table.
        for (const cache of [front, createScheduleDefinitionCache()]) {
          schedulerMock.resetHistory();
          const tier = createDynamoDefinitionCache({ client: dynamo, tableName: TABLE, clock: () => DATES[2], sleep: () => Promise.resolve() });
          const reader = createSchedulerReader(scheduler, { definitionCache: layeredDefinitionCache(cache, tier) });
          await reader.prefetchDefinitions(listings);
          const lookups = await Promise.all(listings.map((listing) => reader.getSchedule(listing)));
          await reader.saveDefinitions();

          listings.forEach((listing, i) => {
            const lookup = lookups[i]!;
            expect(lookup.status).toBe('found');
            if (lookup.status !== 'found') return;
            expect(lookup.value.name).toBe(listing.name);
            if (listing.lastModificationDate !== undefined) {
              expect(lookup.value.lastModificationDate?.getTime()).toBe(listing.lastModificationDate.getTime());
            } else {
              expect(schedulerMock).toHaveReceivedCommandWith(GetScheduleCommand, { GroupName: 'trading', Name: listing.name });
            }
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
