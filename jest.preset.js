// Shared Jest settings: @swc/jest transpiles (types are checked by `tsc --noEmit`),
// and @dreamqueue/* resolves to each project's source so tests never need a build.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('/', '\\/')}$`] = path.join(__dirname, target);
}

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  setupFilesAfterEnv: [path.join(__dirname, 'libs/testing/src/leak-guard.setup.ts')],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Integration tests own real processes (redis-server, the emulator): one file at a time.
  maxWorkers: 1,
  testTimeout: 30_000,
  // The leak guard already fails a file that leaves a socket or process open; a leak it reported must not
  // also keep the run from ending (a worker left reconnecting to a stopped Redis never lets go).
  forceExit: true,
  reporters: ['default', path.join(__dirname, 'tools/jest-failure-summary.js')],
};
