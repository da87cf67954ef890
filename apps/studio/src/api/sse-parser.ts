/** One parsed Server-Sent Event block. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Incremental Server-Sent Events parser (the WHATWG rules the studio needs: `id`, `event`, multi-line
 * `data`, comments, CRLF or LF). Feed it text chunks as they arrive; it returns the complete events.
 */
export class SseParser {
  private buffer = '';
  private current: { id?: string; event?: string; data: string[] } = { data: [] };

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      if (line === '') {
        if (this.current.data.length > 0)
          out.push({ id: this.current.id, event: this.current.event, data: this.current.data.join('\n') });
        this.current = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.current.data.push(value);
      else if (field === 'id') this.current.id = value;
      else if (field === 'event') this.current.event = value;
    }
    return out;
  }
}
