import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Logger } from '@dreamqueue/logger';
import { type Clock } from '../clock';
import { type FaultInjector } from '../faults/fault-injector';
import { type FaultOp } from '../faults/fault-rule';
import { type Ledger, type LedgerOp, sdkAttempt } from '../observe/ledger';
import { type StatsRecorder } from '../observe/stats';
import { type S3ErrorCode, sendS3Error } from './s3-error';
import { classifyS3Request, type S3Operation } from './s3-operation';

export interface S3ProxyDeps {
  upstream: string;
  faults: FaultInjector;
  ledger: Ledger;
  stats: StatsRecorder;
  clock: Clock;
  logger: Logger;
}

const FAULTABLE = new Set(['PutObject', 'GetObject', 'HeadObject', 'CopyObject', 'DeleteObject']);
const WRITES = new Set<string>(['PutObject', 'CopyObject', 'DeleteObject', 'DeleteObjects', 'CompleteMultipartUpload']);

/**
 * The published S3 endpoint: a pass-through to s3rver that can fail chosen operations with S3's own
 * error bodies and records every write in the ledger, so tests can audit exactly what a worker wrote.
 */
export function createS3Proxy(deps: S3ProxyDeps): { server: Server; close(): void } {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    handle(req, res, deps, agent).catch((err: unknown) => {
      deps.logger.error({ err }, 's3 proxy failure');
      if (!res.headersSent) sendS3Error(res, 'InternalError', req.url ?? '/', req.method === 'HEAD');
      else res.destroy();
    });
  });
  return { server, close: () => agent.destroy() };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: S3ProxyDeps, agent: Agent): Promise<void> {
  const op = classifyS3Request(req);
  deps.stats.s3Request(op.name);
  const record = (status: number, outcome: string) => recordWrite(deps.ledger, req, op, status, outcome);
  const decision = FAULTABLE.has(op.name) ? deps.faults.decide(`s3:${op.name}` as FaultOp, { key: op.key }) : undefined;
  if (decision?.latencyMs) await deps.clock.sleep(decision.latencyMs);
  if (decision?.error) {
    // Read the upload before answering: replying mid-body makes the client see a reset, not the error.
    for await (const _chunk of req as AsyncIterable<Buffer>) void _chunk;
    const code = decision.error as S3ErrorCode;
    sendS3Error(res, code, req.url ?? '/', req.method === 'HEAD');
    record(res.statusCode, code);
    return;
  }
  await forward(req, res, deps.upstream, agent, (status) => record(status, status < 300 ? 'ok' : `http-${status}`));
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  agent: Agent,
  onStatus: (status: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(req.url ?? '/', upstream);
    const outgoing = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host }, agent },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        upstreamRes.once('end', () => {
          onStatus(upstreamRes.statusCode ?? 502);
          resolve();
        });
        upstreamRes.once('error', reject);
      },
    );
    outgoing.once('error', reject);
    req.pipe(outgoing);
  });
}

function recordWrite(ledger: Ledger, req: IncomingMessage, op: S3Operation, status: number, outcome: string): void {
  if (!WRITES.has(op.name)) return;
  ledger.record({
    op: op.name as LedgerOp,
    source: 'client',
    bucket: op.bucket,
    key: op.key,
    ...sdkAttempt(req.headers['amz-sdk-request']),
    outcome,
    status,
  });
}
