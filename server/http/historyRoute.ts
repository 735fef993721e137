/**
 * GET history for one metric of one device, downsampled to the points a chart asks for: the public
 * /api/history and the console's /api/console/history answer with this same handler, so the query
 * rules, limits and shape cannot drift apart.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { queryProblem } from './errorResponses';
import { ID_PATTERN, METRIC_PATTERN } from '../../contract/device';
import type { HistoryReader } from '../store/HistoryReader';

const MAX_HISTORY_POINTS = 5000;
const MAX_HISTORY_SPAN_MS = 366 * 24 * 3600_000;

const instant = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const ms = /^\d{1,15}$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO 8601 date' });
      return z.NEVER;
    }
    return ms;
  });

const historyQuerySchema = z
  .object({
    booth: z.string().regex(ID_PATTERN, 'must be a booth id'),
    device: z.string().regex(ID_PATTERN, 'must be a device id'),
    metric: z.string().regex(METRIC_PATTERN, 'must be a metric name'),
    from: instant.optional(),
    to: instant.optional(),
    points: z.coerce.number().int().min(1).max(MAX_HISTORY_POINTS).default(300),
  })
  .strict();

export function historyRoute(booths: readonly { id: string }[], history: HistoryReader): RequestHandler {
  return async (req, res, next) => {
    const parsed = historyQuerySchema.safeParse(req.query);
    if (!parsed.success) return void res.status(400).json({ error: queryProblem(parsed.error) });
    const to = parsed.data.to ?? Date.now();
    const from = parsed.data.from ?? to - 15 * 60_000;
    if (from >= to) return void res.status(400).json({ error: 'from: must be before to' });
    if (to - from > MAX_HISTORY_SPAN_MS) return void res.status(400).json({ error: 'from: the range may span at most 366 days' });
    if (!booths.some((b) => b.id === parsed.data.booth)) return void res.status(404).json({ error: 'booth: no such booth' });
    try {
      const result = await history.read({ ...parsed.data, from, to });
      res.json({ booth: parsed.data.booth, device: parsed.data.device, metric: parsed.data.metric, from, to, ...result });
    } catch (error) {
      next(error);
    }
  };
}
