const TONE: Record<string, string> = {
  ready: 'good',
  succeeded: 'good',
  completed: 'good',
  failed: 'bad',
  expired: 'bad',
  canceled: 'muted',
  deleted: 'muted',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONE[status] ?? 'busy'}`}>{status}</span>;
}
