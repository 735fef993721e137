import type { Logger } from '../logger';
import type { Component } from './Component';

/**
 * The order parts start in and the order they close in, each declared once. Shutdown is not always
 * start-up reversed (what stops new data must close before what flushes it), so both are listed;
 * a part may be left out of a run (no InfluxDB configured) but never run out of its place.
 */
export interface ComponentOrder {
  readonly start: readonly string[];
  readonly close: readonly string[];
}

/**
 * Starts components in their declared order and closes the started ones in the declared close order.
 * A start that fails closes what had started, so a half-started server leaves no timer or port behind.
 * A close that fails is logged and the rest still close; the failures are thrown together at the end.
 */
export class ComponentRunner {
  private readonly started = new Map<string, Component>();
  private lastStartIndex = -1;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly order: ComponentOrder,
    private readonly log: Logger,
  ) {
    const starts = new Set(order.start);
    const closes = new Set(order.close);
    // A name in one list only would start and never close, or close something never started: a wiring mistake.
    if (starts.size !== order.start.length || closes.size !== order.close.length) throw new Error('a component is listed twice in its order');
    for (const name of starts) if (!closes.has(name)) throw new Error(`component "${name}" starts but has no place in the close order`);
    for (const name of closes) if (!starts.has(name)) throw new Error(`component "${name}" closes but has no place in the start order`);
  }

  /** Starts one component, which must come later in the start order than every one started before it. */
  async start(component: Component): Promise<void> {
    const index = this.order.start.indexOf(component.name);
    if (index === -1) throw new Error(`component "${component.name}" is not in the start order`);
    if (index <= this.lastStartIndex) throw new Error(`component "${component.name}" starts out of its declared order`);
    if (this.closing) throw new Error(`component "${component.name}" starts after shutdown began`);
    this.lastStartIndex = index;
    try {
      await component.start?.();
    } catch (error) {
      this.log.error({ component: component.name, err: errorMessage(error) }, 'component failed to start; closing those already started');
      await this.close().catch(() => undefined); // each failure is already logged; the start error is the one to report
      throw error;
    }
    this.started.set(component.name, component);
  }

  /** Closes every started component once, in the close order; later calls get the same promise. */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    const failures: unknown[] = [];
    for (const name of this.order.close) {
      const component = this.started.get(name);
      if (!component) continue;
      try {
        await component.close();
      } catch (error) {
        failures.push(error);
        this.log.error({ component: name, err: errorMessage(error) }, 'component failed to close; closing the rest');
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} components failed to close`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
