/** One place that knows which class draws which panel kind of a dashboard. */
import type { PanelSpec } from '../../../contract/dashboard';
import { DevicesPanel } from './DevicesPanel';
import { GaugePanel } from './GaugePanel';
import { ImagePanel } from './ImagePanel';
import { KpiPanel } from './KpiPanel';
import type { PanelHost, PanelView } from './PanelView';
import { PositionPanel } from './PositionPanel';
import { QrCodePanel } from './QrCodePanel';
import { StatPanel } from './StatPanel';
import { StatusGridPanel } from './StatusGridPanel';
import { TextPanel } from './TextPanel';
import { TimeSeriesPanel } from './TimeSeriesPanel';

/** Where a panel is in the dashboard: a KPI panel names itself so to the server (GET /api/kpi). */
export interface PanelPlace {
  sceneId: string;
  index: number;
}

export function createPanel(spec: PanelSpec, host: PanelHost, place: PanelPlace): PanelView {
  switch (spec.kind) {
    case 'devices':
      return new DevicesPanel(spec, host);
    case 'timeseries':
      return new TimeSeriesPanel(spec);
    case 'stat':
      return new StatPanel(spec);
    case 'gauge':
      return new GaugePanel(spec);
    case 'status-grid':
      return new StatusGridPanel(spec, host);
    case 'position':
      return new PositionPanel(spec);
    case 'qr':
      return new QrCodePanel(spec);
    case 'image':
      return new ImagePanel(spec);
    case 'text':
      return new TextPanel(spec);
    case 'kpi':
      return new KpiPanel(spec, place, host);
  }
}
