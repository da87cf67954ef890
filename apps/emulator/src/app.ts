import { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { type EmulatorContext } from './context';
import { CONTROL_PREFIX, handleControl } from './control/control.handler';
import { sendJson } from './http/http-util';
import { handleControlPlane } from './runtime/control-plane.handler';
import { handleInvokeAsync } from './runtime/invoke-async.handler';
import { handleInvoke } from './runtime/invoke.handler';

const INVOKE = /^\/endpoints\/([^/]*)\/invocations$/;
const INVOKE_ASYNC = /^\/endpoints\/([^/]*)\/async-invocations$/;

/**
 * The SageMaker port's route table: runtime (restJson1), control plane (awsJson1_1 on `POST /`) and the
 * emulator's own `/_emulator/` API. Returns a listener without listening, so tests can mount it anywhere.
 */
export function createRuntimeApp(ctx: EmulatorContext): RequestListener {
  return (req, res) => {
    route(ctx, req, res).catch((err: unknown) => {
      ctx.logger.error({ err, url: req.url }, 'unhandled emulator error');
      // Always JSON: the AWS SDK v3 parses every SageMaker Runtime error body as JSON; a non-JSON 500 becomes a SyntaxError.
      if (!res.headersSent)
        sendJson(res, 500, { message: 'Internal emulator error' }, { 'x-amzn-ErrorType': 'InternalFailure' });
      else res.destroy();
    });
  };
}

async function route(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path.startsWith(CONTROL_PREFIX)) return handleControl(ctx, req, res);
  if (req.method === 'POST' && path === '/' && req.headers['x-amz-target']) return handleControlPlane(ctx, req, res);
  const invoke = req.method === 'POST' ? INVOKE.exec(path) : null;
  if (invoke) return handleInvoke(ctx, req, res, invoke[1]);
  const invokeAsync = req.method === 'POST' ? INVOKE_ASYNC.exec(path) : null;
  if (invokeAsync) return handleInvokeAsync(ctx, req, res, invokeAsync[1]);
  req.resume();
  sendJson(
    res,
    404,
    { message: `No route for ${req.method} ${path}` },
    { 'x-amzn-ErrorType': 'UnknownOperationException' },
  );
}
