/**
 * How many bytes are waiting to be written to one wall: the part of a slow or stalled reader that
 * lives in server memory. socket.io does not expose it, so this reads the two places engine.io 6 /
 * ws 8 keep it (node_modules/engine.io/build/socket.js `sendPacket`/`flush`, transports/websocket.js):
 *
 * - engine.io's `writeBuffer`: packets queued while the transport is not writable. The WebSocket
 *   transport is not writable from a send until the kernel took the last frame of it (ws's write
 *   callback); long-polling until the client polls again. A reader that stopped fills this.
 * - the WebSocket's `bufferedAmount`: what ws has handed to the TCP socket that the kernel did not take yet.
 *
 * String lengths are counted as bytes: the JSON is mostly ASCII, and a bound within a factor of
 * three is what is needed here.
 */
import type { Socket as EngineSocket } from 'engine.io';

interface EngineInternals {
  writeBuffer?: { data?: unknown }[];
  transport?: { name?: string; socket?: { bufferedAmount?: unknown; terminate?: unknown } };
}

export function pendingOutputBytes(conn: EngineSocket): number {
  const internals = conn as unknown as EngineInternals;
  let bytes = 0;
  for (const packet of internals.writeBuffer ?? []) bytes += sizeOf(packet.data);
  const buffered = internals.transport?.name === 'websocket' ? internals.transport.socket?.bufferedAmount : 0;
  if (typeof buffered === 'number') bytes += buffered;
  return bytes;
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/**
 * Closes a connection without waiting for its output to be read. engine.io's `close()` waits for
 * the writeBuffer to drain first, which a reader that stopped never lets happen (and socket.io's
 * `disconnect(true)` calls exactly that); ws's `close()` waits up to 30 s for the peer's close frame.
 * Terminating the WebSocket destroys the TCP socket at once, and engine.io, seeing its transport
 * close, drops the writeBuffer; long-polling is discarded.
 */
export function dropConnection(conn: EngineSocket): void {
  const socket = (conn as unknown as EngineInternals).transport?.socket;
  if (typeof socket?.terminate === 'function') (socket.terminate as () => void).call(socket);
  else conn.close(true);
}
