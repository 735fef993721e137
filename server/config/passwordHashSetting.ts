/**
 * The `passwordHash` setting, for booths and for the console alike: a scrypt hash as
 * `npm run hash-password` prints it, with directions when it is missing or malformed.
 */
import { z } from 'zod';
import { parsePasswordHash } from '../../broker/passwordHash';

export const passwordHashSetting = z
  .string({ error: (issue) => (issue.input === undefined ? 'required: run `npm run hash-password` and paste the line it prints' : 'must be a string') })
  .superRefine((text, ctx) => {
    const hash = parsePasswordHash(text);
    if (typeof hash === 'string') ctx.addIssue({ code: 'custom', message: `${hash} (make one with \`npm run hash-password\`)` });
  });
