/**
 * The one shape every part that holds timers, sockets or files shows to the server: a name for the
 * logs, an optional start, and a close that lets go of what it holds. Parts made by an async factory
 * (`ShowfloorBroker.start`, `TechnicianConsole.start`) are already running when they are made, so
 * they come without `start`.
 */
export interface Component {
  readonly name: string;
  start?(): Promise<void> | void;
  close(): Promise<void> | void;
}
