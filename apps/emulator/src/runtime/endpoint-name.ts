import { type EmulatorContext } from '../context';
import { validationError } from './runtime-error';

export type EndpointKind = 'training' | 'mme';

/** Resolves the `{EndpointName}` path segment; empty or unknown names are ValidationErrors, as on AWS. */
export function resolveEndpoint(ctx: EmulatorContext, encodedName: string): { name: string; kind: EndpointKind } {
  let name: string;
  try {
    name = decodeURIComponent(encodedName);
  } catch {
    throw validationError(`Invalid endpoint name "${encodedName}".`);
  }
  if (name === '') {
    throw validationError(
      "1 validation error detected: Value '' at 'endpointName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (name === ctx.options.trainingEndpoint) return { name, kind: 'training' };
  if (name === ctx.options.mmeEndpoint) return { name, kind: 'mme' };
  throw validationError(`Endpoint ${name} of account 000000000000 not found.`);
}
