module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname, displayName: 'cli', testTimeout: 90_000 };
