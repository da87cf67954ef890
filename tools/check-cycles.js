#!/usr/bin/env node
// Fails on circular imports (between files, and between projects) and on project-boundary violations
// declared by the nx tags in each project's package.json:
//   - apps never depend on other apps (the testing kit may start the emulator: it is test-only);
//   - type:contracts depends only on type:util;
//   - type:testing is imported only from test files.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const projects = ['apps', 'libs'].flatMap((dir) =>
  fs
    .readdirSync(path.join(root, dir))
    .map((name) => path.join(root, dir, name))
    .filter((p) => fs.existsSync(path.join(p, 'package.json'))),
);
const byName = new Map();
for (const dir of projects) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  byName.set(pkg.name, { dir, name: pkg.name, tags: pkg.nx?.tags ?? [] });
}
const tag = (project, prefix) => project.tags.find((t) => t.startsWith(prefix))?.slice(prefix.length);
const isTestFile = (file) => /\.spec\.ts$|[\\/]test[\\/]|[\\/]testing[\\/]/.test(file);

const problems = [];
const fileEdges = new Map();
const projectEdges = new Map();

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : walk(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

function resolveRelative(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  return undefined;
}

for (const project of byName.values()) {
  for (const file of [...walk(path.join(project.dir, 'src')), ...walk(path.join(project.dir, 'test'))]) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const edges = [];
    for (const { fileName: spec } of importedFiles) {
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        if (target) edges.push(target);
        continue;
      }
      const depName = spec.split('/').slice(0, 2).join('/');
      const dep = byName.get(depName);
      if (!dep || dep === project) continue;
      if (!isTestFile(file)) {
        if (!projectEdges.has(project.name)) projectEdges.set(project.name, new Set());
        projectEdges.get(project.name).add(dep.name);
      }
      checkBoundary(project, dep, file, spec);
    }
    fileEdges.set(file, edges);
  }
}

function checkBoundary(from, to, file, spec) {
  const where = `${path.relative(root, file)} imports ${spec}`;
  if (tag(from, 'type:') === 'app' && tag(to, 'type:') === 'app' && !isTestFile(file))
    problems.push(`app → app: ${where}`);
  if (tag(from, 'type:') === 'contracts' && tag(to, 'type:') !== 'util')
    problems.push(`contracts may only use util libs: ${where}`);
  if (tag(to, 'type:') === 'testing' && !isTestFile(file))
    problems.push(`testing kit imported from production code: ${where}`);
  if (spec.includes('/src/')) problems.push(`deep import into another project's src: ${where}`);
}

function findCycles(graph, label) {
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next)).concat(next).map(label);
        problems.push(`circular import: ${cycle.join(' → ')}`);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
}

findCycles(fileEdges, (f) => path.relative(root, f));
findCycles(projectEdges, (n) => n);

if (problems.length > 0) {
  console.error(
    `check-cycles: ${problems.length} problem(s)\n${[...new Set(problems)].map((p) => `  ${p}`).join('\n')}`,
  );
  process.exit(1);
}
console.log(`check-cycles: ${fileEdges.size} files, ${byName.size} projects, no cycles or boundary violations`);
