/**
 * One record of a spool segment: the readings of (part of) one group commit.
 *
 *   length  u32 LE   bytes of the payload
 *   crc     u32 LE   CRC-32 (node:zlib crc32) of the payload
 *   payload          acceptedAt f64 LE (ms since epoch, the oldest reading's accept time, so the
 *                    age of the oldest unsent reading survives a restart), line count u32 LE,
 *                    then the InfluxDB line-protocol lines joined by '\n' (UTF-8)
 *
 * Lines never contain '\n' (line protocol ends a line there), so joining is lossless.
 */
import { crc32 } from 'node:zlib';

export const RECORD_HEADER_BYTES = 8;
/** acceptedAt (8) + line count (4). */
const PAYLOAD_PREFIX_BYTES = 12;
/** A record claiming more than this is damage, not data (records hold at most RECORD_MAX_LINES lines). */
export const RECORD_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export interface SpoolRecord {
  acceptedAt: number;
  lines: string[];
}

export function encodeRecord(record: SpoolRecord): Buffer {
  const text = Buffer.from(record.lines.join('\n'), 'utf8');
  const buffer = Buffer.allocUnsafe(RECORD_HEADER_BYTES + PAYLOAD_PREFIX_BYTES + text.length);
  buffer.writeUInt32LE(PAYLOAD_PREFIX_BYTES + text.length, 0);
  buffer.writeDoubleLE(record.acceptedAt, RECORD_HEADER_BYTES);
  buffer.writeUInt32LE(record.lines.length, RECORD_HEADER_BYTES + 8);
  text.copy(buffer, RECORD_HEADER_BYTES + PAYLOAD_PREFIX_BYTES);
  buffer.writeUInt32LE(crc32(buffer.subarray(RECORD_HEADER_BYTES)), 4);
  return buffer;
}

/** What decodeRecord found at an offset of a buffer. */
export type DecodedRecord =
  | { kind: 'record'; bytes: number; acceptedAt: number; lineCount: number; lines: () => string[] }
  /** The buffer ends before the record does: read more, or (at the end of a file) a torn tail. */
  | { kind: 'short'; needBytes: number }
  /** Length or checksum wrong: damage. `claimedLines` is the record's own (untrusted) count, when readable. */
  | { kind: 'damaged'; claimedLines: number | null };

export function decodeRecord(buffer: Buffer, offset: number): DecodedRecord {
  const available = buffer.length - offset;
  if (available < RECORD_HEADER_BYTES) return { kind: 'short', needBytes: RECORD_HEADER_BYTES };
  const length = buffer.readUInt32LE(offset);
  if (length < PAYLOAD_PREFIX_BYTES || length > RECORD_MAX_PAYLOAD_BYTES) return { kind: 'damaged', claimedLines: null };
  if (available < RECORD_HEADER_BYTES + length) return { kind: 'short', needBytes: RECORD_HEADER_BYTES + length };
  const payload = buffer.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + length);
  const lineCount = payload.readUInt32LE(8);
  if (crc32(payload) !== buffer.readUInt32LE(offset + 4)) return { kind: 'damaged', claimedLines: plausibleLines(lineCount, length) };
  return {
    kind: 'record',
    bytes: RECORD_HEADER_BYTES + length,
    acceptedAt: payload.readDoubleLE(0),
    lineCount,
    lines: () => (lineCount === 0 ? [] : payload.toString('utf8', PAYLOAD_PREFIX_BYTES).split('\n')),
  };
}

/**
 * The line count of a record cut short by a crash, read from what was written of it: counted as
 * lost readings when plausible (a line is at least a few bytes), else the record counts as one.
 */
export function claimedLinesOfTornRecord(buffer: Buffer, offset: number): number {
  if (buffer.length - offset < RECORD_HEADER_BYTES + PAYLOAD_PREFIX_BYTES) return 1;
  const length = buffer.readUInt32LE(offset);
  return plausibleLines(buffer.readUInt32LE(offset + RECORD_HEADER_BYTES + 8), length) ?? 1;
}

function plausibleLines(lineCount: number, payloadLength: number): number | null {
  return lineCount >= 1 && lineCount * 8 <= payloadLength ? lineCount : null;
}

/** acceptedAt of the record that starts a buffer of at least RECORD_HEADER_BYTES + 8 bytes. */
export function recordAcceptedAt(buffer: Buffer): number {
  return buffer.readDoubleLE(RECORD_HEADER_BYTES);
}
export const ACCEPTED_AT_PREFIX_BYTES = RECORD_HEADER_BYTES + 8;
