const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  rootDir: __dirname,
  displayName: 'api',
  setupFilesAfterEnv: [...preset.setupFilesAfterEnv, '<rootDir>/test/openapi/openapi-responses.setup.ts'],
};
