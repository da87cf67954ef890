import { once } from 'node:events';
import { get, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import { EventLog } from '@dreamqueue/records';
import { startOperationsHarness, type OperationsHarness } from './admin-harness';

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

/** A minimal streaming SSE client over node:http: collects messages and comment lines as they arrive. */
class SseClient {
  readonly messages: SseMessage[] = [];
  comments = 0;
  status = 0;
  private buffer = '';
  private req?: ClientRequest;
  private res?: IncomingMessage;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  async open(): Promise<this> {
    this.req = get(this.url, { headers: { accept: 'text/event-stream', ...this.headers } });
    this.req.on('error', () => undefined); // destroying the request on close aborts it: expected
    [this.res] = (await once(this.req, 'response')) as [IncomingMessage];
    this.res.on('error', () => undefined);
    this.status = this.res.statusCode ?? 0;
    this.res.setEncoding('utf8');
    this.res.on('data', (chunk: string) => this.feed(chunk));
    return this;
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else if (line.startsWith('id: ')) message.id = line.slice(4);
        else if (line.startsWith('event: ')) message.event = line.slice(7);
        else if (line.startsWith('data: ')) message.data = line.slice(6);
      }
      if (message.id) this.messages.push(message);
    }
  }

  async body(): Promise<string> {
    let text = '';
    this.res!.on('data', (c: string) => (text += c));
    await once(this.res!, 'end');
    return text;
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<SseMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${this.messages.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.messages;
  }

  async close(): Promise<void> {
    const closed = this.res && !this.res.closed ? new Promise((r) => this.res!.once('close', r)) : undefined;
    this.req?.destroy();
    await closed;
  }
}

describe('GET /v1/events (Server-Sent Events over the durable event stream, real HTTP)', () => {
  let h: OperationsHarness;
  let server: Server;
  let base: string;
  let log: EventLog;
  let acmeKey: string;
  const modelEvent = (resourceId: string, status: string) => ({
    type: `model.${status}`,
    resource: 'model' as const,
    resourceId,
    status,
  });

  beforeAll(async () => {
    h = await startOperationsHarness({ SSE_MAX_PER_TENANT: '2', SSE_HEARTBEAT: '200ms' });
    server = h.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    log = new EventLog(h.redis, h.keySpace);
    acmeKey = await h.keyFor('acme');
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await h.close();
  });

  it('streams events appended while connected, resumes with Last-Event-ID exactly after the last one seen, and never shows another tenant', async () => {
    const auth = { authorization: `Bearer ${acmeKey}` };
    await log.append('acme', modelEvent('mdl_before', 'queued')); // before connecting: not replayed without Last-Event-ID
    const first = await new SseClient(`${base}/v1/events`, auth).open();
    expect(first.status).toBe(200);
    await log.append('acme', modelEvent('mdl_a', 'queued'));
    await log.append('globex', modelEvent('mdl_theirs', 'ready'));
    await log.append('acme', modelEvent('mdl_a', 'training'));
    const seen = await first.waitFor(2);
    await first.close();

    // Missed while disconnected:
    await log.append('acme', modelEvent('mdl_a', 'ready'));
    await log.append('globex', modelEvent('mdl_theirs', 'failed'));
    await log.append('acme', modelEvent('mdl_b', 'queued'));

    const second = await new SseClient(`${base}/v1/events`, { ...auth, 'last-event-id': seen[1]!.id! }).open();
    const resumed = await second.waitFor(2);
    await log.append('acme', modelEvent('mdl_b', 'failed'));
    await second.waitFor(3);
    await second.close();

    const all = [...seen, ...resumed].map(
      (m) => JSON.parse(m.data!) as { resourceId: string; status: string; type: string },
    );
    expect(seen.map((m) => m.event)).toEqual(['model.queued', 'model.training']);
    expect(all.map((e) => `${e.resourceId}:${e.status}`)).toEqual([
      'mdl_a:queued',
      'mdl_a:training',
      'mdl_a:ready',
      'mdl_b:queued',
      'mdl_b:failed',
    ]);
    expect(all.some((e) => e.resourceId === 'mdl_theirs' || e.resourceId === 'mdl_before')).toBe(false);
    const ids = [...seen, ...resumed].map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends heartbeats and limits concurrent streams per tenant', async () => {
    const auth = { authorization: `Bearer ${await h.keyFor('limited')}` };
    const a = await new SseClient(`${base}/v1/events`, auth).open();
    const b = await new SseClient(`${base}/v1/events`, auth).open();
    const refused = await new SseClient(`${base}/v1/events`, auth).open();
    expect([a.status, b.status, refused.status]).toEqual([200, 200, 429]);
    expect(JSON.parse(await refused.body()).error.code).toBe('too_many_event_streams');
    const deadline = Date.now() + 5_000;
    while (a.comments < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(a.comments).toBeGreaterThanOrEqual(2);
    // Another tenant is not affected by this tenant's limit.
    const other = await new SseClient(`${base}/v1/events`, { authorization: `Bearer ${acmeKey}` }).open();
    expect(other.status).toBe(200);
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it('rejects a malformed Last-Event-ID with 400 and no stream', async () => {
    const bad = await new SseClient(`${base}/v1/events`, {
      authorization: `Bearer ${acmeKey}`,
      'last-event-id': 'abc',
    }).open();
    expect(bad.status).toBe(400);
    expect(JSON.parse(await bad.body()).error.code).toBe('invalid_last_event_id');
  });
});
