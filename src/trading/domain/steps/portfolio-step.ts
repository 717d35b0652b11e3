/**
 * SignalGenerated → RebalancePlanned: reads the account and prices, plans the trades. Every refusal of
 * the planner (equity ≤ 0, a held position without a price, weights that do not sum to 1, a breached
 * risk limit: RISK_MAX_POSITION_WEIGHT, RISK_MAX_ORDER_NOTIONAL, RISK_MAX_TURNOVER) fails the workflow
 * here, before any order exists. The limits come from the workflow's params, i.e. those it started with.
 */
import type { BrokerDirectory } from '../broker-directory.ts';
import { clientOrderId } from '../client-order-id.ts';
import { makeEvent } from '../event-factory.ts';
import { EventType, Step } from '../events.ts';
import { daysBetween, type MarketData } from '../../ports/market-data.ts';
import { dec, type Dec, toDecimalString } from '../money.ts';
import { planRebalance } from '../rebalance.ts';
import type { StepHandler } from '../step-handler.ts';
import { MAX_PRICE_AGE_DAYS } from '../strategy.ts';

export interface PortfolioStepDeps {
  marketData: MarketData;
  brokers: BrokerDirectory;
}

export function createPortfolioStep(deps: PortfolioStepDeps): StepHandler<typeof EventType.signalGenerated> {
  return {
    name: 'portfolio',
    step: Step.portfolio,
    consumes: [EventType.signalGenerated],
    runsWhen: 'running',
    async run(event, ctx) {
      const { accountId, asOf, minTradeNotional, riskLimits } = ctx.record.params;
      const broker = deps.brokers(accountId);
      const account = await broker.account();
      const targets = event.detail.targets.map((t) => ({ symbol: t.symbol, weight: dec(t.weight) }));
      const symbols = [...new Set([...account.positions.keys(), ...targets.map((t) => t.symbol)])].sort();
      const [history, assets] = await Promise.all([deps.marketData.history(symbols, asOf, 1), broker.assets(symbols)]);
      const prices = new Map<string, Dec>();
      for (const [symbol, bars] of history) {
        const last = bars.at(-1);
        // A stale close is no price: valuing a position on last month's close would misstate equity.
        if (last !== undefined && daysBetween(last.date, asOf) <= MAX_PRICE_AGE_DAYS) prices.set(symbol, last.close);
      }
      const plan = planRebalance({
        cash: account.cash,
        positions: account.positions,
        prices,
        targets,
        fractionable: (symbol) => assets.get(symbol)?.fractionable ?? false,
        minTradeNotional: dec(minTradeNotional),
        riskLimits,
      });
      const now = ctx.now();
      const planned = makeEvent(
        EventType.rebalancePlanned,
        { correlationId: event.correlationId, causationId: event.eventId, producer: Step.portfolio, occurredAt: now },
        { equity: toDecimalString(plan.equity), cash: toDecimalString(plan.cash), orders: plan.orders, skipped: plan.skipped },
      );
      return {
        result: {
          completedAt: now,
          summary: { equity: toDecimalString(plan.equity), orders: plan.orders.length, sells: plan.orders.filter((o) => o.side === 'sell').length, skipped: plan.skipped.length },
        },
        expectedOrders: plan.orders.length,
        plan: {
          orders: plan.orders.map((o, orderIndex) => ({ clientOrderId: clientOrderId(event.correlationId, o.symbol, o.side), ...o, orderIndex })),
          skipped: plan.skipped.map((s) => ({ ...s })),
        },
        emit: [planned],
      };
    },
  };
}
