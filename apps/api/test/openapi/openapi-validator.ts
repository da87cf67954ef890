import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { type Express, type Request, type Response } from 'express';
import { buildOpenApiDocument } from '../../src/openapi/openapi-document';

/**
 * Checks the API's answers against its OpenAPI document, in the API's own integration tests: an app passed
 * to {@link checkResponsesAgainstOpenApi} records every response whose status, media type or JSON body the
 * document does not describe; the Jest setup file fails the test that caused it.
 *
 * A path the document does not know (a test-only router) is checked only for the error shape.
 */
type JsonObject = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: JsonObject }> }>;
}

export const openApiDocument = buildOpenApiDocument('test') as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonObject> };
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openApiDocument, 'openapi');
const validators = new Map<string, ValidateFunction>();
/** Answers of the catch-all 404 (`route_not_found`): a test app without that router, not the operation. */
const unrouted = new WeakSet<Response>();
const violations: string[] = [];

function validatorFor(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Templates with fewer parameters first, so `/v1/admin/webhooks/dead` wins over `/v1/admin/webhooks/{eventId}`. */
const templates = Object.keys(openApiDocument.paths)
  .map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    regex: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))
  .sort((a, b) => a.params - b.params);

/** The document's path template for a request path, if any. */
export function documentedPath(path: string): string | undefined {
  return templates.find((t) => t.regex.test(path))?.template;
}

function where(req: Request) {
  const path = new URL(req.originalUrl, 'http://x').pathname;
  const template = documentedPath(path);
  const method = req.method.toLowerCase();
  const operation = template ? openApiDocument.paths[template]?.[method] : undefined;
  return { path, template, method, operation, label: `${req.method} ${path}` };
}

function checkStatus(res: Response): void {
  const { operation, label, template, method } = where(res.req);
  const status = String(res.statusCode);
  if (!operation || unrouted.has(res)) return;
  const described = operation.responses[status];
  if (!described) return void violations.push(`${label} answered ${status}, which the document does not list`);
  const type = String(res.getHeader('content-type') ?? '')
    .split(';')[0]!
    .trim();
  if (described.content && type && !described.content[type]) {
    violations.push(
      `${label} ${status} is ${type}; the document says ${Object.keys(described.content).join(', ')} (${method} ${template})`,
    );
  }
}

function checkJson(res: Response, body: unknown): void {
  const { operation, label, template, method } = where(res.req);
  const status = String(res.statusCode);
  const unknownRoute = (body as { error?: { code?: string } })?.error?.code === 'route_not_found';
  if (unknownRoute) unrouted.add(res);
  let pointer: string | undefined;
  if (operation?.responses[status]?.content?.['application/json'] && !unknownRoute)
    pointer = `/paths/${escape(template!)}/${method}/responses/${status}/content/application~1json/schema`;
  else if (res.statusCode >= 400) pointer = '/components/schemas/ApiError';
  if (!pointer) return;
  const validate = validatorFor(pointer);
  // Validate what goes on the wire (dates as strings, undefined fields dropped).
  if (!validate(JSON.parse(JSON.stringify(body) ?? 'null')))
    violations.push(`${label} ${status} body does not match the document: ${ajv.errorsText(validate.errors)}`);
}

/** Records every response of `app` that the OpenAPI document does not describe. Returns the app. */
export function checkResponsesAgainstOpenApi<T extends Express>(app: T): T {
  const proto = app.response as Response & { writeHead: (...args: unknown[]) => unknown };
  const { json, writeHead } = proto;
  proto.json = function (this: Response, body: unknown) {
    checkJson(this, body);
    return json.call(this, body);
  };
  proto.writeHead = function (this: Response, ...args: unknown[]) {
    if (typeof args[0] === 'number') this.statusCode = args[0];
    checkStatus(this);
    return writeHead.apply(this, args as never);
  } as typeof proto.writeHead;
  return app;
}

/** The responses recorded since the last call, emptied. */
export function takeOpenApiViolations(): string[] {
  return violations.splice(0);
}
