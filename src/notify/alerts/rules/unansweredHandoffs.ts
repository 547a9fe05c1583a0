import { answerMetric, planAnswer } from '../../../answers/answerMetric.ts';
import { handoffs } from '../../../answers/metrics.ts';
import type { Outcome } from '../alertState.ts';
import type { HandoffSettings } from '../ruleSettings.ts';
import { minus, span, type RuleContext } from './ruleContext.ts';

/**
 * Requests for a human in the last window that nobody answered: no accept, callback or continue within the handoff
 * metric's `abandonAfter` (abandoned), plus requests an agent never connected to (with an `AgentConnection` table).
 */
export async function evaluateUnansweredHandoffs(ctx: RuleContext, s: HandoffSettings): Promise<Outcome> {
  const { client, now } = ctx;
  const windowMs = s.windowMinutes * 60_000;
  const plan = planAnswer(client, handoffs, { from: minus(now, windowMs).toISOString(), to: now.toISOString() }, now);
  const { body } = await answerMetric({ ...ctx.deps, cache: null, now: () => now }, client, handoffs, plan);
  const abandoned = body.outcomes.find((o) => o.outcome === 'abandoned')?.count ?? 0;
  const neverConnected = body.agent.available ? body.agent.neverConnected.count : 0;
  const unanswered = abandoned + neverConnected;
  const verdict = unanswered > s.maxUnanswered ? 'failing' : unanswered <= s.resolveAtMost ? 'clear' : 'holding';
  return {
    verdict,
    title: `${client.name}: ${unanswered} of ${body.handoffs} requests for a human unanswered in ${span(windowMs)}`,
    facts: { unanswered, abandoned, neverConnected, requests: body.handoffs, windowMinutes: s.windowMinutes },
  };
}
