/**
 * The public HTTP API's answers (server/http/createHttpApp.ts, historyRoute.ts) as the tests read
 * them. contract/ declares only what the pages use; these routes are read by operators and tests,
 * so their shapes live here, written out field by field: a test that reads a field the server no
 * longer sends then fails to typecheck instead of comparing against `undefined`.
 */
import type { BoothBudgets, DegradedReason, SpoolHealth } from '../../contract/console';
import type { DeviceSummary } from '../../contract/live';
import type { DashboardStatus } from '../../server/dashboard/DashboardSource';
import type { WallRecord } from '../../server/live/WallRegistry';
import type { HistoryAnswer } from '../../web/console/historyRange';
import type { DeviceState, PresenceReason } from '../../contract/presence';

/** Counts keyed by a reason string (rejection, refusal, reload); a reason never seen is absent. */
export type CountsByReason = Partial<Record<string, number>>;

/** GET /api/health. */
export interface PublicHealth {
  status: 'ok' | 'degraded';
  /** Why, each with the figure that tripped it (server/store/StorageHealth.ts); empty when ok. */
  degraded: DegradedReason[];
  uptimeSeconds: number;
  broker: { clients: number; tcpPort: number | null; tlsPort: number | null; webSocketPath: string; refusals: CountsByReason; acknowledgementsHeld: number };
  influxdb:
    | {
        mode: 'v1' | 'v2';
        url: string;
        bucket: string;
        reachable: boolean;
        lastError: string | null;
        refused: CountsByReason;
        recentRefusals: { booth: string; device: string; reason: string; detail: string; at: number }[];
        spool: SpoolHealth | null;
      }
    | { mode: 'memory'; reachable: false; note: string };
  counters: {
    received: number;
    accepted: number;
    rejected: CountsByReason;
    rejectedTotal: number;
    written: number;
    writeFailures: number;
    dropped: number;
    pending: number;
  };
  live: { devices: number; walls: number; evictedDevices: number; droppedSeries: number; droppedLiveReadings: number };
  budgets: BoothBudgets[];
  storage: {
    maxStoredDevicesPerBooth: number;
    storedDevicePeriodHours: number;
    booths: Partial<Record<string, { storedDevices: number; refusedReadings: number; refusedByInflux: number }>>;
  };
  dashboard: DashboardStatus;
  walls: {
    connected: number;
    reloads: CountsByReason;
    refused: CountsByReason;
    snapshotsTruncated: number;
    snapshotPointsLeftOut: number;
    snapshotDevicesLeftOut: number;
  };
}

/** One device in GET /api/devices: its live summary plus what ingest accepted and rejected of it. */
export interface PublicDevice extends DeviceSummary {
  /** The one presence rule's verdict now (contract/presence.ts). */
  state: DeviceState;
  stateReason: PresenceReason;
  stateSince: number;
  accepted: number;
  rejected: CountsByReason;
  lastRejection: { reason: string; detail: string; at: number } | null;
}

/** GET /api/devices. */
export interface PublicDeviceList {
  booths: { id: string; name: string; unattributedRejections: CountsByReason }[];
  devices: PublicDevice[];
}

/** One wall page in GET /api/walls: the registry's record as it is. */
export type PublicWall = WallRecord;

/** GET /api/walls. */
export interface PublicWallList {
  connected: PublicWall[];
  disconnected: PublicWall[];
}

/** GET /api/history with valid parameters: the same answer the console's history panel reads. */
export type PublicHistory = HistoryAnswer;

/** Any refused API request (400, 404, 421, 429...). */
export interface ApiError {
  error: string;
}
