import { parseArgs } from 'node:util';
import { z } from 'zod';
import { commonEnv, loadConfig } from '@dreamqueue/config';
import { tenantIdSchema } from '@dreamqueue/contracts';
import { createKeySpace, createRedisConnection, waitForReady } from '@dreamqueue/redis';
import { ROLES, type Role } from './auth/api-key';
import { ApiKeyStore } from './auth/api-key.store';

const USAGE = `Manage dreamqueue API keys (uses REDIS_URL and QUEUE_PREFIX).

  npm run keys -- create --tenant <id> [--role tenant|operator|admin] [--name <label>]
  npm run keys -- list
  npm run keys -- revoke <key id>

The key is printed once at creation; only its SHA-256 is stored.`;

/* eslint-disable no-console -- a command-line tool talks to its terminal */
async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      role: { type: 'string', default: 'tenant' },
      name: { type: 'string', default: 'cli' },
    },
  });
  const [command, id] = positionals;
  const env = loadConfig(
    z.object({ REDIS_URL: commonEnv.REDIS_URL, QUEUE_PREFIX: commonEnv.QUEUE_PREFIX }),
    process.env,
  );
  const redis = createRedisConnection({ url: env.REDIS_URL, role: 'producer', connectionName: 'dq-keys-cli' });
  redis.on('error', () => undefined);
  try {
    await waitForReady(redis, 5_000);
    const store = new ApiKeyStore(redis, createKeySpace(env.QUEUE_PREFIX));
    switch (command) {
      case 'create': {
        const tenant = tenantIdSchema.safeParse(values.tenant);
        if (!tenant.success) throw new Error('--tenant is required: lowercase letters, digits and dashes');
        if (!ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
        const { key, record } = await store.create({
          tenantId: tenant.data,
          role: values.role as Role,
          name: values.name ?? 'cli',
        });
        console.log(`created ${record.id} (tenant ${record.tenantId}, role ${record.role})\n${key}`);
        return 0;
      }
      case 'list':
        for (const r of await store.list()) {
          console.log(
            [
              r.id,
              r.prefix + '…',
              r.tenantId,
              r.role,
              r.name,
              r.createdAt,
              r.revokedAt ? `revoked ${r.revokedAt}` : 'active',
            ].join('\t'),
          );
        }
        return 0;
      case 'revoke':
        if (!id) throw new Error('revoke needs a key id (see list)');
        if (!(await store.revoke(id))) throw new Error(`no key ${id}`);
        console.log(`revoked ${id}`);
        return 0;
      default:
        console.log(USAGE);
        return command ? 2 : 0;
    }
  } finally {
    redis.disconnect();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`keys: ${(err as Error).message}`);
    process.exit(1);
  },
);
