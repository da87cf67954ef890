#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { DreamqueueStack } from '../src/dreamqueue-stack';
import { settingsFromContext } from '../src/settings';

// Environment-agnostic on purpose: account and region come from the deploying credentials, and nothing
// is looked up at synth time, so `npm run synth` works offline. Settings: `-c dreamqueue:<name>=<value>`.
const app = new App();
new DreamqueueStack(app, 'Dreamqueue', {
  description: 'dreamqueue: BullMQ job system over SageMaker (async training, multi-model generation)',
  settings: settingsFromContext(app.node),
});
app.synth();
