import { InvokeEndpointAsyncCommand } from '@aws-sdk/client-sagemaker-runtime';
import { startTestEmulator, s3ClientFor, sageMakerRuntimeClientFor, type TestEmulator } from '@dreamqueue/testing';
import { dominantColour } from './model/render-image';
import { type Rgb } from './model/artifact';
import { bootstrap, generate, near, putObject, trainingTar, waitForObject } from './testing/fixtures';

describe('training endpoint, end to end through S3 and the MME', () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  it('trains from the uploaded photos and serves images painted with their colours', async () => {
    const s3 = s3ClientFor(emulator);
    const runtime = sageMakerRuntimeClientFor(emulator);
    const colours: Rgb[] = [[200, 30, 40], [20, 180, 60], [30, 40, 210]];
    const input = await putObject(s3, emulator, 'inputs/user-1.tar', await trainingTar(colours));

    const accepted = await runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: emulator.trainingEndpoint, InputLocation: input, InferenceId: 'train-job1-1', InvocationTimeoutSeconds: 3600 }));
    expect(accepted.$metadata.httpStatusCode).toBe(202);
    expect(accepted.InferenceId).toBe('train-job1-1');
    expect(accepted.OutputLocation).toBe(`s3://${emulator.bucket}/${emulator.asyncOutputPrefix}train-job1-1.out`);
    expect(accepted.FailureLocation).toBe(`s3://${emulator.bucket}/${emulator.asyncFailurePrefix}train-job1-1-error.out`);

    const output = JSON.parse((await waitForObject(s3, accepted.OutputLocation!)).toString()) as { status: string; output_location: string };
    expect(output.status).toBe('Training Completed!');
    expect(output.output_location).toMatch(new RegExp(`^s3://${emulator.bucket}/${emulator.mmePrefix}[0-9a-f]{6}\\.tar\\.gz$`));
    const targetModel = output.output_location.split(emulator.mmePrefix)[1];

    await bootstrap(runtime, emulator);
    const [image] = await generate(runtime, emulator, targetModel, [{ seed: 7 }]);
    expect(near(await dominantColour(image), colours[0])).toBe(true);
  });
});
