import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DreamqueueStack } from '../src/dreamqueue-stack';
import { DEFAULT_SETTINGS, type DreamqueueSettings, validateSettings } from '../src/settings';

export const API_BASE = 'https://dreamqueue.example.com';

/** Synthesizes once, on first use: one synth costs seconds, and several check groups share it. */
export function once(synth: () => Template): () => Template {
  let template: Template | undefined;
  return () => (template ??= synth());
}

/** A registry image, so tests never stage the repository as a Docker asset. */
export const TEST_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/dreamqueue:test';

export function synthTemplate(overrides: Partial<DreamqueueSettings> = {}): Template {
  const app = new App();
  const settings = validateSettings({ ...DEFAULT_SETTINGS, appImage: TEST_IMAGE, ...overrides });
  return Template.fromStack(new DreamqueueStack(app, 'Test', { settings }));
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of every IAM policy in the template, with the logical id of its policy. */
export function policyStatements(template: Template): Array<{ policy: string; roles: unknown; statement: Statement }> {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: unknown } }
  >;
  return Object.entries(policies).flatMap(([policy, resource]) =>
    resource.Properties.PolicyDocument.Statement.map((statement) => ({
      policy,
      roles: resource.Properties.Roles,
      statement,
    })),
  );
}

export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOf = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
