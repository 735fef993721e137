/**
 * Counts chart draws (an ECharts setOption) as they happen, so a page can give each animation frame
 * a budget of charts and not only of milliseconds: a deadline is checked before a chart starts, and
 * one chart's draw on a loaded machine can take the whole frame by itself, so two started in the
 * same frame made most of the wall's long frames.
 */
export class ChartDrawCounter {
  private count = 0;

  note(): void {
    this.count++;
  }

  get total(): number {
    return this.count;
  }
}

/** The page's one counter: PanelChart and DeviceChart note their draws, the wall reads it per frame. */
export const chartDraws = new ChartDrawCounter();
