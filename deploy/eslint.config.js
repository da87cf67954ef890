// The workspace rules, plus: cdk.out/ holds a staged copy of the repository (the Docker image asset),
// which must never be linted as part of deploy/.
const workspace = require('../eslint.config.js');

module.exports = [{ ignores: ['cdk.out/**'] }, ...workspace];
