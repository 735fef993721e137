/**
 * Device-chosen names (Sparkplug edge node, device and metric names; Home Assistant object ids)
 * made into ids and metric names the native contract accepts (contract/device.ts). The mapping is
 * deterministic so the same device lands on the same id after every BIRTH or discovery, and bounded
 * so a 10,000-character name cannot make a 10,000-character tag.
 */
import { ID_PATTERN, METRIC_PATTERN, RESERVED_METRIC_NAMES } from '../../contract/device';

const MAX_NAME = 64;
/** Room kept for `_` + 8 hex digits when a long name is cut, so two long names that share a start stay apart. */
const CUT_AT = MAX_NAME - 9;

/** FNV-1a, 32 bits: a short stable suffix, not a security hash. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function bounded(mapped: string, original: string): string {
  return mapped.length <= MAX_NAME ? mapped : `${mapped.slice(0, CUT_AT)}_${shortHash(original)}`;
}

/**
 * A device id matching ID_PATTERN: characters outside `[A-Za-z0-9_-]` become `_` (so `Edge Node 1`
 * is `Edge_Node_1`), a name that does not start with a letter or digit gets an `x` in front, and a
 * name longer than 64 is cut with a hash of the whole name. Case is kept: ids are shown to people.
 */
export function toDeviceId(name: string): string {
  let mapped = name.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!/^[A-Za-z0-9]/.test(mapped)) mapped = `x${mapped}`;
  const id = bounded(mapped, name);
  // Defensive: the steps above always produce a match; a mismatch would be a bug here, not device input.
  if (!ID_PATTERN.test(id)) throw new Error(`toDeviceId produced ${id}`);
  return id;
}

/**
 * A metric name matching METRIC_PATTERN and not reserved: lowercase, `/` and every other character
 * outside `[a-z0-9_]` become `_` (`Inputs/Temperature` → `inputs_temperature`), a name that does
 * not start with a letter gets `m_` in front, a reserved name (`time`, `device`, …) gets `_` after
 * it, and a long name is cut with a hash. Two names can map to one (`A/b`, `a_b`): the adapters
 * detect that per device and keep the first.
 */
export function toMetricName(name: string): string {
  let mapped = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z]/.test(mapped)) mapped = `m_${mapped}`;
  if (RESERVED_METRIC_NAMES.has(mapped)) mapped = `${mapped}_`;
  const metric = bounded(mapped, name);
  if (!METRIC_PATTERN.test(metric)) throw new Error(`toMetricName produced ${metric}`);
  return metric;
}
