import type { BudgetRefusals } from '../budgets/BudgetRefusals';
import type { TechnicianConsole } from '../console/TechnicianConsole';
import type { IngestCounters } from '../ingest/IngestCounters';
import type { DeviceDirectory } from '../live/DeviceDirectory';
import type { LiveHub } from '../live/LiveHub';
import type { WallRegistry } from '../live/WallRegistry';
import type { InfluxStore } from '../store/InfluxStore';
import type { StorageHealth } from '../store/StorageHealth';
import type { StoreCounters } from '../store/StoreCounters';
import type { StoredDeviceBudget } from '../store/StoredDeviceBudget';
import type { DashboardSource } from '../dashboard/DashboardSource';

/** The read-only view of the running server that the HTTP layer reports from. */
export interface ServerState {
  startedAt: number;
  booths: readonly { id: string; name: string }[];
  ingest: IngestCounters;
  store: StoreCounters;
  influx: InfluxStore | null;
  /** Distinct devices each booth wrote to InfluxDB within the period, against its budget. */
  storedDevices: StoredDeviceBudget;
  brokerRefusals: ReadonlyMap<string, number>;
  /** What each booth's budgets refused, by reason. */
  budgetRefusals: BudgetRefusals;
  directory: DeviceDirectory;
  hub: LiveHub;
  walls: WallRegistry;
  dashboard: DashboardSource;
  /** Device health, alarms and server health, for /metrics. */
  console: TechnicianConsole;
  mqttClients(): number;
  /** QoS 1/2 acknowledgements the broker holds now until their readings are on disk (the spool's group commit). */
  acknowledgementsHeld(): number;
  wallClients(): number;
  influxReachable(): boolean;
  /** Whether storage keeps up: /api/health's status and reasons, the console's and /metrics' too. */
  storageHealth: StorageHealth;
  /** A port is null when its listener is off. */
  mqtt: { tcpPort: number | null; tlsPort: number | null; webSocketPath: string };
}
