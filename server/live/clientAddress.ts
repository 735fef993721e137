/**
 * The address a socket.io client connects from, as express sees it for the same request: behind a
 * reverse proxy every wall comes from the proxy's address, so the per-address wall limits
 * (WallAdmission) and the wall-report rate limit would lump all walls together. TRUST_PROXY is
 * compiled exactly as express compiles `trust proxy` (express/lib/utils.js `compileTrust`), and the
 * address found by proxy-addr, the module behind express's `req.ip`: X-Forwarded-For is believed
 * only hop by hop from peers that are trusted, so a client cannot name its own address.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** `env.TRUST_PROXY` as settings.ts parses it: false, a hop count, or proxy addresses and subnets. */
export type TrustProxySetting = false | number | string[];

export function clientAddressResolver(trustProxy: TrustProxySetting): (request: IncomingMessage) => string {
  const trust = typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : proxyAddr.compile(trustProxy || []);
  return (request) => {
    // A socket already destroyed has no address; proxy-addr would throw reading it.
    if (request.socket.remoteAddress === undefined) return '';
    return proxyAddr(request, trust);
  };
}
