/** One place that knows which class draws which panel kind of a dashboard. */
import type { PanelSpec } from '../../../contract/dashboard';
import { DevicesPanel } from './DevicesPanel';
import { GaugePanel } from './GaugePanel';
import type { PanelHost, PanelView } from './PanelView';
import { PositionPanel } from './PositionPanel';
import { StatPanel } from './StatPanel';
import { StatusGridPanel } from './StatusGridPanel';
import { TimeSeriesPanel } from './TimeSeriesPanel';

export function createPanel(spec: PanelSpec, host: PanelHost): PanelView {
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
      return new StatusGridPanel(spec);
    case 'position':
      return new PositionPanel(spec);
  }
}
