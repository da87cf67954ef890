import { type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { type EmulatorContext } from '../context';
import { readBody, sendJson } from '../http/http-util';
import { parseFaultRules } from '../faults/fault-rule';
import { snapshotStats } from './snapshot';

export const CONTROL_PREFIX = '/_emulator/';

const ConfigPatchSchema = z
  .object({
    timeScale: z.number().positive(),
    trainingSeconds: z.number().min(0),
    trainingConcurrency: z.number().int().positive(),
    coldLoadSeconds: z.number().min(0),
    modelsPerInstance: z.number().int().positive(),
    fixedLatencyMs: z.number().min(0),
    perImageLatencyMs: z.number().min(0),
    mmeCapacity: z.number().int().positive(),
    notifyUrl: z.string().url().optional(),
  })
  .partial()
  .strict();

/**
 * The emulator's own API under `/_emulator/` (never a SageMaker path): stats, ledger, faults, settings,
 * reset. Bad input answers 400 `{ error }` naming the problem.
 */
export async function handleControl(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://local').pathname.slice(CONTROL_PREFIX.length);
  const route = `${req.method ?? 'GET'} ${path}`;
  const { body } = await readBody(req, 1024 * 1024);
  try {
    switch (route) {
      case 'GET stats':
        return sendJson(res, 200, snapshotStats(ctx));
      case 'GET ledger':
        return sendJson(res, 200, ctx.ledger.list());
      case 'GET faults':
        return sendJson(res, 200, ctx.faults.getRules());
      case 'PUT faults':
        ctx.faults.setRules(parseFaultRules(parseJson(body)));
        return sendJson(res, 200, ctx.faults.getRules());
      case 'GET config':
        return sendJson(res, 200, ctx.settings);
      case 'PUT config':
        ctx.configure(parseConfigPatch(parseJson(body)));
        return sendJson(res, 200, ctx.settings);
      case 'POST reset':
        ctx.reset();
        return sendJson(res, 200, { ok: true });
      default:
        return sendJson(res, 404, { error: `No control route ${route}` });
    }
  } catch (err) {
    return sendJson(res, 400, { error: (err as Error).message });
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('Body must be JSON');
  }
}

function parseConfigPatch(input: unknown) {
  const parsed = ConfigPatchSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `Invalid config: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
