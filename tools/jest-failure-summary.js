// A Jest reporter that writes each failed test's name and message to test-output/failures/<project>.txt.
// The suites run in parallel and a CI log keeps only its tail, where an earlier project's failure scrolls
// out of sight; .ci/run prints these files last, so a red run always names the test that failed.
const fs = require('node:fs');
const path = require('node:path');

const FAILURES_DIR = path.join(__dirname, '..', 'test-output', 'failures');
const MESSAGE_LINES = 40;

class FailureSummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const project = path.relative(path.join(__dirname, '..'), this.rootDir).replaceAll(path.sep, '-') || 'root';
    const file = path.join(FAILURES_DIR, `${project}.txt`);
    fs.rmSync(file, { force: true });
    const lines = [];
    for (const suite of results.testResults) {
      const where = path.relative(this.rootDir, suite.testFilePath);
      if (suite.testExecError) lines.push(`${where}: the file did not run`, excerpt(suite.testExecError.message));
      for (const test of suite.testResults) {
        if (test.status !== 'failed') continue;
        lines.push(`${where} › ${test.fullName}`, ...test.failureMessages.map(excerpt));
      }
    }
    if (lines.length === 0) return;
    fs.mkdirSync(FAILURES_DIR, { recursive: true });
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
  }
}

function excerpt(message) {
  const plain = message.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = plain.split('\n').filter((line) => !line.includes('/node_modules/'));
  return lines.slice(0, MESSAGE_LINES).join('\n');
}

module.exports = FailureSummaryReporter;
