import { ndjson, serverEvents } from './line-stream';

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

describe('line streams', () => {
  it('parses NDJSON split across chunks, skipping blank lines', async () => {
    expect(await collect(ndjson(streamOf('{"a":1}\n{"b"', ':2}\r\n\n{"c":3}')))).toEqual([
      { a: 1 },
      { b: 2 },
      { c: 3 },
    ]);
  });

  it('parses server-sent events with ids, multi-line data and comments', async () => {
    const events = await collect(
      serverEvents(
        streamOf(': ping\n\nid: 1-0\nevent: model.ready\ndata: {"x":\ndata: 1}\n\n', 'id: 2-0\ndata: y\n\n'),
      ),
    );
    expect(events).toEqual([
      { id: '1-0', event: 'model.ready', data: '{"x":\n1}' },
      { id: '2-0', event: undefined, data: 'y' },
    ]);
  });
});
