import { takeOpenApiViolations } from './openapi-validator';

// Every API test fails when a response it caused is not what /openapi.json describes.
afterEach(() => {
  const violations = takeOpenApiViolations();
  if (violations.length > 0)
    throw new Error(`Responses not described by the OpenAPI document:\n${violations.join('\n')}`);
});
