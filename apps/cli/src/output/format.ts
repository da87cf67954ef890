/** `42s`, `3m`, `5h`, `2d`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  if (seconds < 86_400)
    return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** How long ago, coarsely: `12s ago`, `5m ago`, `3h ago`, `2d ago`. */
export function age(iso: unknown, now = Date.now()): string {
  const at = typeof iso === 'string' ? Date.parse(iso) : NaN;
  if (Number.isNaN(at)) return '';
  const s = Math.max(0, (now - at) / 1000);
  const [value, unit] = s < 60 ? [s, 's'] : s < 3600 ? [s / 60, 'm'] : s < 86_400 ? [s / 3600, 'h'] : [s / 86_400, 'd'];
  return `${Math.floor(value)}${unit} ago`;
}

/** Left-aligned columns, two spaces apart. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `used 12.3 GPU-seconds`, `used 48,210 GPU-seconds`: a batch's cost as the API's ledger reports it. */
export function gpuSecondsUsed(seconds: number): string {
  const figure = seconds < 100 ? seconds.toFixed(1) : Math.round(seconds).toLocaleString('en-US');
  return `used ${figure} GPU-seconds`;
}
