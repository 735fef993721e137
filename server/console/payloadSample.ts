/**
 * Device payloads as the console shows them: cut short and with control characters made visible,
 * so a hostile or broken payload cannot hide text, reorder it or fill the page. The page renders
 * them as text only; this keeps them small and legible.
 */
import { INVISIBLE_CHARACTERS } from '../../contract/device';

export const SAMPLE_CHARS = 300;
/** Enough bytes for SAMPLE_CHARS characters of any UTF-8 text, so a sample is cut once, when it is kept. */
export const SAMPLE_BYTES = SAMPLE_CHARS * 4;

/** A copy of at most SAMPLE_BYTES of the payload: never a view that would keep the whole packet alive. */
export function keepPayloadBytes(payload: Buffer): Buffer {
  return Buffer.from(payload.subarray(0, SAMPLE_BYTES));
}

/**
 * Decodes (bad UTF-8 becomes U+FFFD), replaces each invisible character with U+FFFD as well, and
 * cuts to SAMPLE_CHARS with an ellipsis when `truncated` or when it is longer.
 */
export function payloadSample(bytes: Buffer, totalBytes = bytes.length): string {
  const text = bytes.toString('utf8').replace(INVISIBLE_CHARACTERS, '\uFFFD');
  const chars = [...text];
  const cut = chars.length > SAMPLE_CHARS || totalBytes > bytes.length;
  return cut ? `${chars.slice(0, SAMPLE_CHARS).join('')}…` : text;
}
