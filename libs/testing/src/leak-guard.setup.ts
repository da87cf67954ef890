import { openResources } from './leak-guard';

/**
 * Runs after every test file (jest `setupFilesAfterEnv`): a file that leaves a socket, server or child
 * process open fails here, naming what was left, rather than making Jest hang or leak into the next file.
 */
const HANDLE_KINDS = ['TCPSocketWrap', 'TCPServerWrap', 'ProcessWrap'];

afterAll(async () => {
  const deadline = Date.now() + 3_000;
  let handles = liveHandles();
  while ((handles.length > 0 || openResources().length > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    handles = liveHandles();
  }
  const tracked = openResources();
  if (handles.length > 0 || tracked.length > 0) {
    throw new Error(`Test file left open: ${[...tracked, ...handles].join(', ')}`);
  }
});

function liveHandles(): string[] {
  return process.getActiveResourcesInfo().filter((kind) => HANDLE_KINDS.includes(kind));
}
