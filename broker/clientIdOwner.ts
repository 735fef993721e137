/**
 * Which booth a client id belongs to. Ids are `{boothId}-…`; a client id is unique across the broker,
 * and a second connection with the same id takes the first one over, so a booth must only be able
 * to use ids of its own.
 */

/**
 * The booth whose `{id}-` starts `clientId`. Booth ids may contain `-`, so with booths `hall` and
 * `hall-a` the id `hall-a-x` could be read either way; the longer booth id wins, otherwise booth
 * `hall` could take over the devices of booth `hall-a`.
 */
export function clientIdOwner(clientId: string, boothIds: ReadonlySet<string>): string | undefined {
  let owner: string | undefined;
  for (let dash = clientId.indexOf('-'); dash > 0; dash = clientId.indexOf('-', dash + 1)) {
    const candidate = clientId.slice(0, dash);
    if (boothIds.has(candidate)) owner = candidate;
  }
  return owner;
}

/**
 * Whether a client id of `username` is its own: it starts with `{username}-` and no longer booth id
 * claims it (clientIdOwner). Asked the same way whether or not `username` is a booth, so the answer
 * does not tell a stranger which booth ids exist.
 */
export function ownsClientId(clientId: string, username: string, boothIds: ReadonlySet<string>): boolean {
  if (!clientId.startsWith(`${username}-`)) return false;
  // Both are prefixes of the id ending at a dash, so the longer one is the owner.
  const owner = clientIdOwner(clientId, boothIds);
  return owner === undefined || owner.length <= username.length;
}
