/**
 * GET /api/kpi?scene=<id>&panel=<index>[&booth=a,b]: the number of a KPI panel of the current
 * dashboard. A wall names the panel, never a query: what is computed is what the dashboard file
 * says, so a client cannot make the server scan InfluxDB for anything else.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { queryProblem } from './errorResponses';
import { ID_PATTERN } from '../../contract/device';
import type { DashboardSource } from '../dashboard/DashboardSource';
import type { KpiReader } from '../kpi/KpiReader';

const kpiQuerySchema = z
  .object({
    scene: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, 'must be a scene id'),
    panel: z.coerce.number().int().min(0).max(99),
    booth: z
      .string()
      .transform((text) => [...new Set(text.split(',').map((id) => id.trim()))])
      .refine((ids) => ids.length <= 100 && ids.every((id) => ID_PATTERN.test(id)), 'must be booth ids separated by commas')
      .optional(),
  })
  .strict();

export function kpiRoute(booths: readonly { id: string }[], dashboard: DashboardSource, kpis: KpiReader): RequestHandler {
  return async (req, res, next) => {
    const parsed = kpiQuerySchema.safeParse(req.query);
    if (!parsed.success) return void res.status(400).json({ error: queryProblem(parsed.error) });
    const { scene: sceneId, panel: index, booth: asked } = parsed.data;
    const current = dashboard.current;
    const spec = current.scenes.find((s) => s.id === sceneId)?.panels[index];
    if (spec?.kind !== 'kpi') return void res.status(404).json({ error: 'panel: no KPI panel at this place of the current dashboard' });
    const known = booths.map((b) => b.id);
    const unknown = asked?.find((id) => !known.includes(id));
    if (unknown !== undefined) return void res.status(404).json({ error: `booth: no such booth "${unknown}"` });
    const wallBooths = asked && asked.length > 0 ? asked : known;
    // A panel of one booth counts only that booth, whatever the wall shows.
    const counted = spec.booth !== undefined ? [spec.booth] : wallBooths;
    try {
      const panel = `${current.version}\0${sceneId}\0${index}`;
      res.setHeader('Cache-Control', 'no-store');
      // Every booth: one cached answer. Any other set (a client may ask for any of 2^n) is made of
      // per-booth answers, so it cannot cost a query of its own: at most one per booth per refresh.
      const all = counted.length === known.length && known.every((id) => counted.includes(id));
      res.json(all ? await kpis.read(`${panel}\0all`, spec, counted) : await kpis.readEach(panel, spec, counted));
    } catch (error) {
      next(error);
    }
  };
}
