/** One place that knows which class draws which panel kind of a dashboard. */
import type { PanelSpec } from '../../../contract/dashboard';
import { create } from '../dom';
import { DevicesPanel } from './DevicesPanel';
import type { PanelHost, PanelView } from './PanelView';

export function createPanel(spec: PanelSpec, host: PanelHost): PanelView {
  switch (spec.kind) {
    case 'devices':
      return new DevicesPanel(spec, host);
    default:
      return placeholder(spec.kind);
  }
}

function placeholder(kind: string): PanelView {
  const element = create('section', 'panel');
  element.dataset['testid'] = 'panel';
  element.dataset['panelKind'] = kind;
  return { element, render: () => false, dispose: () => undefined };
}
