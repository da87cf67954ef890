import { SETUP_INPUT } from '@dreamqueue/contracts';

/** The name Triton knows model_setup by (its folder in the artifact). */
const SETUP_MODEL_NAME = 'model_setup';

/**
 * Why Triton would refuse this body for model_setup (config.pbtxt: max_batch_size 0, one optional
 * TYPE_STRING input `input_args` with dims [-1]), in Triton's words; undefined when it accepts it.
 * Vector `model-setup.json`: `'{}'` fails in the HTTP front end, a generation-shaped body in Triton core.
 */
export function setupRequestRefusal(body: Buffer): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return 'failed to parse the request JSON buffer: Invalid value.';
  }
  const inputs = (json as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs)) return "Unable to parse 'inputs': attempt to access non-existing object member 'inputs'";
  for (const tensor of inputs as { name?: unknown; shape?: unknown; datatype?: unknown; data?: unknown }[]) {
    if (tensor?.name !== SETUP_INPUT) {
      return `[request id: <id_unknown>] unexpected inference input '${String(tensor?.name)}' for model '${SETUP_MODEL_NAME}'`;
    }
    const shape = tensor.shape;
    if (tensor.datatype !== 'BYTES') {
      return `[request id: <id_unknown>] inference input '${SETUP_INPUT}' data-type is '${String(tensor.datatype)}', but model '${SETUP_MODEL_NAME}' expects 'BYTES'`;
    }
    if (!Array.isArray(shape) || shape.length !== 1 || !Array.isArray(tensor.data) || shape[0] !== tensor.data.length) {
      return `[request id: <id_unknown>] unexpected shape for input '${SETUP_INPUT}' for model '${SETUP_MODEL_NAME}'. Expected [-1], got ${JSON.stringify(shape)}`;
    }
  }
  return undefined;
}

/** The KServe v2 response model_setup answers with (output_message, [1] string). */
export function setupResponse(message: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      model_name: SETUP_MODEL_NAME,
      model_version: '1',
      outputs: [{ name: 'output_message', shape: [1], datatype: 'BYTES', data: [message] }],
    }),
  );
}
