export { FakeAsyncInference, FakeMultiModelInference, awsError } from './fake-inference';
