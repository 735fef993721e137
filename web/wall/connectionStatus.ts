/**
 * The wall's link to the server as a small state machine, kept apart from the DOM so the rules
 * (when a blip becomes "offline") are unit-tested. A short blip reads "Reconnecting…"; only a
 * link that stays down past OFFLINE_AFTER_MS turns red, dated from when it was lost.
 */
import { ENGLISH, type WallText } from './wallText';

export type ConnectionLevel = 'connecting' | 'live' | 'reconnecting' | 'offline';

export type ConnectionEvent =
  | { type: 'connect'; at: number }
  /** `willReconnect` is socket.io's `socket.active`: false when the server kicked us on purpose. */
  | { type: 'disconnect'; at: number; willReconnect: boolean }
  | { type: 'reconnect_attempt'; at: number; attempt: number }
  | { type: 'connect_error'; at: number; willReconnect: boolean; message: string };

export interface ConnectionState {
  readonly connected: boolean;
  readonly everConnected: boolean;
  /** When the link was lost, or when the page started trying; null while connected. */
  readonly downSince: number | null;
  readonly attempt: number;
  /** Set when socket.io will not retry by itself (e.g. the server refused the booth list). */
  readonly refusal: string | null;
}

export interface ConnectionView {
  readonly level: ConnectionLevel;
  readonly text: string;
  readonly detail: string;
}

export const OFFLINE_AFTER_MS = 15_000;

export function initialConnectionState(startedAt: number): ConnectionState {
  return { connected: false, everConnected: false, downSince: startedAt, attempt: 0, refusal: null };
}

export function nextConnectionState(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  switch (event.type) {
    case 'connect':
      return { connected: true, everConnected: true, downSince: null, attempt: 0, refusal: null };
    case 'disconnect':
      return {
        ...state,
        connected: false,
        downSince: state.downSince ?? event.at,
        refusal: event.willReconnect ? null : 'disconnected by the server',
      };
    case 'reconnect_attempt':
      return { ...state, attempt: event.attempt };
    case 'connect_error':
      return {
        ...state,
        connected: false,
        downSince: state.downSince ?? event.at,
        refusal: event.willReconnect ? state.refusal : event.message || 'refused by the server',
      };
  }
}

export function describeConnection(state: ConnectionState, now: number, text: WallText = ENGLISH): ConnectionView {
  if (state.connected) return { level: 'live', text: text.t('live'), detail: '' };
  const downSince = state.downSince ?? now;
  const longDown = now - downSince >= OFFLINE_AFTER_MS;
  if (state.refusal !== null || longDown) {
    const retrying = state.attempt > 0 ? text.t('retryingAttempt', { attempt: state.attempt }) : text.t('retrying');
    return {
      level: 'offline',
      text: text.t('offlineSince', { time: text.clock(downSince) }),
      detail: state.refusal ?? retrying,
    };
  }
  if (state.everConnected) {
    return { level: 'reconnecting', text: text.t('reconnecting'), detail: state.attempt > 0 ? text.t('attempt', { attempt: state.attempt }) : '' };
  }
  return { level: 'connecting', text: text.t('connecting'), detail: '' };
}
