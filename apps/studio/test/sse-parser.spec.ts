import { SseParser } from '../src/api/sse-parser';

describe('SseParser', () => {
  it('parses events split across chunks, with ids, event names, comments and multi-line data', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 3000\n\n: ping\n\nid: 1-0\nevent: model.ready\nda')).toEqual([]);
    expect(parser.push('ta: {"a":1}\n\nid: 2-0\r\ndata: line one\r\ndata: line two\r\n\r\n')).toEqual([
      { id: '1-0', event: 'model.ready', data: '{"a":1}' },
      { id: '2-0', event: undefined, data: 'line one\nline two' },
    ]);
  });

  it('keeps an unfinished event until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('data: x\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ id: undefined, event: undefined, data: 'x' }]);
  });
});
