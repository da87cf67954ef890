import { scalingChecks } from './scaling.checks';
import { servicesChecks } from './services.checks';
import { stackChecks } from './stack.checks';
import { API_BASE, once, synthTemplate } from './stack-fixture';

// One test file for every template check: loading aws-cdk-lib and the first synth cost most of the run,
// so the check groups share two synthesized stacks instead of paying that per file.
const configured = once(() =>
  synthTemplate({
    apiBaseUrl: API_BASE,
    adminAllowCidrs: ['10.8.0.0/16'],
    trainingInstanceType: 'ml.g5.2xlarge',
    mmeMaxInstances: 6,
  }),
);
const defaults = once(() => synthTemplate());

stackChecks(configured);
servicesChecks(configured);
scalingChecks(defaults);
