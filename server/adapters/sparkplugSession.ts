/**
 * What a Sparkplug host application must remember about each edge node between messages (Sparkplug
 * 3.0, Operational Behavior chapter): whether it is born, its last `seq`, the `bdSeq` of its NBIRTH,
 * and the metric definitions (name, alias, datatype) its NBIRTH and DBIRTHs announced, because
 * NDATA/DDATA may carry only aliases and no datatype ([tck-id-payloads-alias-data-cmd-requirement],
 * [tck-id-payloads-metric-datatype-not-req]). Every table here is bounded; nothing grows with traffic
 * past the limits the adapter is given.
 */

/** One metric announced in a BIRTH. `metric` is null for metrics that are not readings (bdSeq, Node Control/*, name clashes). */
export interface MetricDefinition {
  /** The Sparkplug device name, or '' for a node metric. */
  device: string;
  /** The native device id its readings go to. */
  deviceId: string;
  metric: string | null;
  datatype: number;
}

export interface DeviceSession {
  id: string;
  /** Mapped metric name → the Sparkplug name that claimed it first this session (clash detection). */
  metricNames: Map<string, string>;
}

export class EdgeNodeSession {
  born = false;
  /** The bdSeq of the NBIRTH, as a decimal string (it is a 64-bit value), or null when it had none. */
  bdSeq: string | null = null;
  lastSeq: number | null = null;
  lastRebirthAt: number | null = null;
  readonly byAlias = new Map<string, MetricDefinition>();
  /** Keyed by device + NUL + Sparkplug metric name: a NUL cannot occur in an MQTT topic level or in a name we keep. */
  readonly byName = new Map<string, MetricDefinition>();
  readonly devices = new Map<string, DeviceSession>();
  readonly node: DeviceSession;

  constructor(
    readonly group: string,
    readonly edge: string,
    nodeId: string,
  ) {
    this.node = { id: nodeId, metricNames: new Map() };
  }

  get definitionCount(): number {
    return this.byName.size + this.byAlias.size;
  }

  /** A new NBIRTH starts a new session: every definition and device of the old one is forgotten. */
  reset(): void {
    this.byAlias.clear();
    this.byName.clear();
    this.devices.clear();
    this.node.metricNames.clear();
    this.born = false;
    this.bdSeq = null;
    this.lastSeq = null;
  }

  /** Forgets one device's definitions (a new DBIRTH for it, or its DDEATH). Bounded by the definition limit. */
  forgetDevice(device: string): void {
    for (const [alias, definition] of this.byAlias) if (definition.device === device) this.byAlias.delete(alias);
    for (const [key, definition] of this.byName) if (definition.device === device) this.byName.delete(key);
    this.devices.delete(device);
  }

  static nameKey(device: string, name: string): string {
    return `${device}\u0000${name}`;
  }
}

/**
 * Edge nodes of one booth, least recently heard first out when full: a node pushed out simply gets a
 * rebirth request on its next DATA and is learnt again, so a booth with too many nodes degrades to
 * rebirths instead of losing the nodes it hears from most.
 */
export class EdgeNodeTable {
  private readonly nodes = new Map<string, EdgeNodeSession>();

  constructor(private readonly maxNodes: number) {}

  get size(): number {
    return this.nodes.size;
  }

  get(group: string, edge: string): EdgeNodeSession | undefined {
    const key = `${group}/${edge}`;
    const session = this.nodes.get(key);
    if (session) {
      this.nodes.delete(key);
      this.nodes.set(key, session);
    }
    return session;
  }

  getOrCreate(group: string, edge: string, nodeId: string): EdgeNodeSession {
    const existing = this.get(group, edge);
    if (existing) return existing;
    if (this.nodes.size >= this.maxNodes) {
      const oldest = this.nodes.keys().next();
      if (!oldest.done) this.nodes.delete(oldest.value);
    }
    const session = new EdgeNodeSession(group, edge, nodeId);
    this.nodes.set(`${group}/${edge}`, session);
    return session;
  }

  delete(group: string, edge: string): void {
    this.nodes.delete(`${group}/${edge}`);
  }
}
