/**
 * Counts resources a test helper opened (processes, connections, workers) so a test file that forgets
 * to close one fails loudly instead of leaving Jest hanging. Helpers call `track`, keep the returned
 * release function and call it when the resource is closed.
 */
const open = new Map<number, string>();
let next = 0;

export function track(label: string): () => void {
  const id = next++;
  open.set(id, label);
  return () => {
    open.delete(id);
  };
}

export function openResources(): string[] {
  return [...open.values()];
}

/** Register in a test file (or setup file): fails the file if anything tracked is still open. */
export function installLeakGuard(): void {
  afterAll(() => {
    const left = openResources();
    open.clear();
    if (left.length > 0) throw new Error(`Test left resources open: ${left.join(', ')}`);
  });
}
