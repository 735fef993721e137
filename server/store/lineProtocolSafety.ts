/**
 * The client's Point escapes commas, spaces and equals signs in tags but not backslashes, and
 * newlines would split a line in two. Rather than trust escaping, tag values are reduced to an
 * allow-list; ids are already restricted by the contract, so this only bites on device kinds.
 */
const TAG_VALUE_UNSAFE = /[^A-Za-z0-9_.-]/g;
const TAG_VALUE_MAX = 64;

export function safeTagValue(value: string | undefined, fallback = 'unknown'): string {
  const cleaned = (value ?? '').replace(TAG_VALUE_UNSAFE, '_').slice(0, TAG_VALUE_MAX);
  return cleaned === '' ? fallback : cleaned;
}
