/**
 * The technician console's HTTP API under /api/console (contract/console.ts). Every route but
 * login needs a session cookie (401 without); POSTs must come from the server's own pages or a
 * listed origin (403), on top of the cookie's SameSite=Strict; login is rate limited per client
 * and checks the password against its scrypt hash. Without a `console` section in the settings
 * every route answers 503, saying how to configure it.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { parsePasswordHash, verifyPassword, type PasswordHash } from '../../broker/passwordHash';
import type { BulkAckResult, ConsoleSession } from '../../contract/console';
import { ID_PATTERN, INVISIBLE_CHARACTERS } from '../../contract/device';
import type { AlarmEngine } from '../alarms/AlarmEngine';
import type { ConsoleSettings } from '../config/consoleSettings';
import { apiRateLimit } from '../http/apiRateLimit';
import type { OriginPolicy } from '../http/OriginPolicy';
import type { Logger } from '../logger';
import type { ConsoleSessions } from './ConsoleSessions';
import { SESSION_COOKIE } from './ConsoleSessions';
import type { ConsoleViews } from './ConsoleViews';

/** Login attempts per client address per minute: plenty for people, few for a guesser (each costs a scrypt run). */
export const LOGIN_ATTEMPTS_PER_MINUTE = 10;
const NAME_MAX = 64;

/** Alarms one bulk acknowledgement may name: more than a console ever shows at once, few enough to answer at once. */
export const MAX_BULK_ACK = 500;

const bulkAckSchema = z
  .object({
    ids: z
      .array(z.string().min(1).max(256), { error: 'required: the ids of the alarms to acknowledge' })
      .min(1, 'name at least one alarm')
      .max(MAX_BULK_ACK, `at most ${MAX_BULK_ACK} alarms at once`),
  })
  .strict();

export const NOT_CONFIGURED =
  'console is not configured: add `console: { passwordHash: "…" }` to the settings file (the line `npm run hash-password` prints) and restart';

const loginSchema = z.object({
  name: z
    .string({ error: 'required: who is at the console (recorded on acknowledgements)' })
    .transform((text) => text.replace(INVISIBLE_CHARACTERS, '').trim())
    .pipe(z.string().min(1, 'must not be empty').max(NAME_MAX, `at most ${NAME_MAX} characters`)),
  password: z.string({ error: 'required' }).min(1, 'must not be empty').max(1024, 'too long'),
});

export interface ConsoleApiOptions {
  settings: ConsoleSettings | undefined;
  sessions: ConsoleSessions;
  views: ConsoleViews;
  alarms: AlarmEngine;
  /** The console's Forget: false when the server does not know the device. */
  forgetDevice: (booth: string, device: string, by: string) => boolean;
  history: RequestHandler;
  originPolicy: OriginPolicy;
  /** True when this server serves HTTPS itself; behind a TLS proxy, req.secure (TRUST_PROXY) says so. */
  servesHttps: boolean;
  log: Logger;
}

function sessionToken(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

export function createConsoleApi(options: ConsoleApiOptions): Router {
  const { settings, sessions, views, alarms, originPolicy, log } = options;
  const router = express.Router();
  const passwordHash: PasswordHash | null = settings ? (parsePasswordHash(settings.passwordHash) as PasswordHash) : null;

  router.use((_req, res, next) => {
    // Device data and sessions: never from a cache.
    res.setHeader('Cache-Control', 'no-store');
    if (!passwordHash) return void res.status(503).json({ error: NOT_CONFIGURED });
    next();
  });

  const sameOrigin: RequestHandler = (req, res, next) => {
    if (originPolicy.admits(req.headers)) return next();
    log.info({ origin: req.headers.origin, client: req.ip, path: req.path }, 'console request refused: origin not allowed');
    res.status(403).json({ error: "origin not allowed: the console accepts changes from this server's own pages (and ALLOWED_ORIGINS) only" });
  };

  const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'strict' as const, path: '/', secure: options.servesHttps || req.secure });

  router.post(
    '/login',
    apiRateLimit(LOGIN_ATTEMPTS_PER_MINUTE, log, { refusal: 'too many login attempts', logMessage: 'console login rate limit reached' }),
    sameOrigin,
    express.json({ limit: '4kb' }),
    async (req, res, next) => {
      const parsed = loginSchema.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return void res.status(400).json({ error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'expected JSON { name, password }'}` });
      }
      try {
        // scrypt on the thread pool, compared in constant time.
        if (!(await verifyPassword(parsed.data.password, passwordHash!))) {
          log.info({ client: req.ip, name: parsed.data.name }, 'console login refused: wrong password');
          return void res.status(401).json({ error: 'wrong password' });
        }
      } catch (error) {
        return next(error);
      }
      const { token, session } = sessions.create(parsed.data.name);
      log.info({ client: req.ip, name: session.name }, 'console login');
      res.cookie(SESSION_COOKIE, token, { ...cookieOptions(req), maxAge: sessions.lifetimeMs });
      res.status(204).end();
    },
  );

  // Everything below needs a session.
  router.use((req, res, next) => {
    const session = sessions.get(sessionToken(req));
    if (!session) return void res.status(401).json({ error: 'login required' });
    res.locals['session'] = session;
    next();
  });

  router.post('/logout', sameOrigin, (req, res) => {
    sessions.delete(sessionToken(req));
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  });

  router.get('/session', (_req, res) => {
    res.json(res.locals['session'] as ConsoleSession);
  });

  router.get('/devices', (_req, res) => {
    res.json(views.devices());
  });

  router.get('/devices/:booth/:device', async (req, res, next) => {
    const { booth, device } = req.params;
    if (!ID_PATTERN.test(booth) || !ID_PATTERN.test(device)) return void res.status(404).json({ error: 'no such device' });
    try {
      const detail = await views.device(booth, device);
      if (!detail) return void res.status(404).json({ error: 'no such device' });
      res.json(detail);
    } catch (error) {
      next(error);
    }
  });

  // Forget: a device from an earlier run (or retired) leaves the walls, its alarms clear, and a restart does not bring it back.
  router.post('/devices/:booth/:device/forget', sameOrigin, (req, res) => {
    const { booth, device } = req.params as { booth: string; device: string };
    const session = res.locals['session'] as ConsoleSession;
    if (!ID_PATTERN.test(booth) || !ID_PATTERN.test(device) || !options.forgetDevice(booth, device, session.name)) {
      return void res.status(404).json({ error: 'no such device' });
    }
    log.info({ booth, device, by: session.name }, 'device forgotten');
    res.status(204).end();
  });

  router.get('/history', options.history);

  router.get('/health', (_req, res) => {
    res.json(views.health());
  });

  router.get('/alarms', (_req, res) => {
    res.json(views.alarms());
  });

  // Several at once ("acknowledge all shown"): each one as the single route does it (recorded with who and when), answered with counts.
  router.post('/alarms/ack', sameOrigin, express.json({ limit: '64kb' }), (req, res) => {
    const parsed = bulkAckSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return void res.status(400).json({ error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'expected JSON { ids: [...] }'}` });
    }
    const session = res.locals['session'] as ConsoleSession;
    const { outcomes, acknowledged } = alarms.acknowledgeMany(parsed.data.ids, session.name, Date.now());
    for (const id of acknowledged) log.info({ alarm: id, by: session.name, bulk: true }, 'alarm acknowledged');
    const answer: BulkAckResult = {
      acknowledged: outcomes.acknowledged,
      alreadyAcknowledged: outcomes['already-acknowledged'],
      cleared: outcomes.cleared,
      notFound: outcomes['not-found'],
    };
    res.json(answer);
  });

  // Alarm ids contain slashes (rule/booth/device): either percent-encoded in one segment or as they are.
  router.post('/alarms/*path', sameOrigin, (req, res) => {
    const segments = (req.params as { path: string[] }).path;
    if (segments.at(-1) !== 'ack' || segments.length < 2) return void res.status(404).json({ error: 'no such endpoint' });
    const id = segments.slice(0, -1).join('/');
    const session = res.locals['session'] as ConsoleSession;
    const outcome = alarms.acknowledge(id, session.name, Date.now());
    if (outcome === 'not-found') return void res.status(404).json({ error: 'no such alarm' });
    if (outcome === 'cleared') return void res.status(409).json({ error: 'the alarm has cleared; there is nothing to acknowledge' });
    if (outcome === 'acknowledged') log.info({ alarm: id, by: session.name }, 'alarm acknowledged');
    res.status(204).end();
  });

  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'no such endpoint' });
  });
  return router;
}
