import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { containersOf, formatManifestError, loadManifests, loadManifestsSync, loadManifestText, podSpecOf, rawObjects } from './index.ts';

const EXAMPLES = sharedData('k8s', 'examples');

test('reads every manifest of kubernetes/examples with positions, workloads with pod specs', (t) => {
  if (!hasSharedData('k8s', 'examples')) return t.skip('no shared data');
  const r = loadManifestsSync([EXAMPLES]);
  assert.ok(r.objects.length > 200, `objects: ${r.objects.length}`);
  for (const o of r.objects) {
    assert.ok(o.kind && o.apiVersion, `${o.source.file}`);
    assert.ok(o.source.line >= 1 && o.source.doc >= 1);
    // The object's line holds one of its own top-level keys (YAML) or is inside it (JSON).
    const text = readFileSync(o.source.file, 'utf8').split('\n');
    assert.ok(o.source.line <= text.length);
  }
  const workloads = r.objects.filter((o) => podSpecOf(o));
  assert.ok(workloads.length > 50, `workloads: ${workloads.length}`);
  const kinds = new Set(workloads.map((o) => o.kind));
  for (const k of ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicationController']) assert.ok(kinds.has(k), k);
  // Errors name the file, the document and the line.
  for (const e of r.errors) assert.match(formatManifestError(e), /^\/.+, document \d+, line \d+: /);
});

test('JSON keeps line numbers down to a field', (t) => {
  if (!hasSharedData('k8s', 'examples')) return t.skip('no shared data');
  const file = join(EXAMPLES, '_archived/phabricator/phabricator-controller.json');
  const [rc] = loadManifestsSync([file]).objects;
  assert.equal(rc!.kind, 'ReplicationController');
  const p = podSpecOf(rc!)!;
  const [c] = containersOf(p);
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.match(lines[rc!.lineOf([...c!.path, 'image']) - 1]!, /"image": "fgrzadkowski\/example-php-phabricator"/);
});

test('Helm output: # Source comments, separators, empty documents, Lists', () => {
  const text = [
    '---',
    '# Source: app/templates/serviceaccount.yaml',
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata:',
    '  name: app',
    '---',
    '# Source: app/templates/empty.yaml',
    '---',
    '# Source: app/templates/deployment.yaml',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: app}',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '      - name: web',
    '        image: nginx',
    '---',
    'apiVersion: v1',
    'kind: List',
    'items:',
    '- apiVersion: batch/v1',
    '  kind: CronJob',
    '  metadata: {name: c}',
    '  spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: x, image: y}]}}}}}',
  ].join('\n');
  const r = loadManifestText(text, 'rendered.yaml');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.objects.map((o) => [o.kind, o.source.doc, o.source.line, o.source.template]), [
    ['ServiceAccount', 1, 3, 'app/templates/serviceaccount.yaml'],
    ['Deployment', 3, 11, 'app/templates/deployment.yaml'],
    ['CronJob', 4, 24, undefined],
  ]);
  const dep = r.objects[1]!;
  assert.equal(dep.lineOf(['spec', 'template', 'spec', 'containers', 0, 'image']), 19);
  assert.equal(dep.lineOf(['spec', 'template', 'spec', 'nope']), 16); // nearest existing field
  const cj = podSpecOf(r.objects[2]!)!;
  assert.deepEqual(cj.specPath, ['spec', 'jobTemplate', 'spec', 'template', 'spec']);
  assert.equal(containersOf(cj)[0]!.name, 'x');
  const { raws, locate } = rawObjects(r.objects);
  assert.equal(locate(raws[1]!)?.line, 11);
});

test('YAML 1.1 scalars as Kubernetes reads them; duplicate keys warn and keep the last', () => {
  const r = loadManifestText('apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  hostNetwork: yes\n  hostPID: false\n  hostPID: true\n', 'p.yaml');
  const spec = podSpecOf(r.objects[0]!)!.spec;
  assert.equal(spec.hostNetwork, true);
  assert.equal(spec.hostPID, true);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.level, 'warning');
  assert.equal(r.errors[0]!.line, 7);
});

test('hostile input: malformed YAML, non-objects, alias bombs, binary, deep nesting, size bounds', async () => {
  const bad = loadManifestText('apiVersion: v1\nkind: Pod\n---\nfoo: [1, 2\nbar: }\n---\n- just\n- a list\n---\nkind: Thing\n', 'bad.yaml');
  assert.equal(bad.objects.length, 1);
  const msgs = bad.errors.map(formatManifestError);
  assert.match(msgs[0]!, /^bad\.yaml, document 2, line \d+: malformed YAML/);
  assert.match(msgs[1]!, /^bad\.yaml, document 3, line 7: not a Kubernetes object \(a list\)/);
  assert.match(msgs[2]!, /^bad\.yaml, document 4, line 10: not a Kubernetes object \(no apiVersion\)/);

  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const started = Date.now();
  const bomb = loadManifestText(`apiVersion: v1\nkind: ConfigMap\n${lines.join('\n')}\n`, 'bomb.yaml');
  assert.equal(bomb.objects.length, 0);
  assert.match(bomb.errors[0]!.message, /alias/);
  assert.ok(Date.now() - started < 5000);

  assert.match(loadManifestText('apiVersion: v1\0kind: Pod', 'bin.yaml').errors[0]!.message, /binary/);
  const deep = loadManifestText(`{"apiVersion":"v1","kind":"Pod","x":${'['.repeat(20000)}${']'.repeat(20000)}}`, 'deep.json');
  assert.equal(deep.objects.length + deep.errors.length >= 1, true);

  const dir = mkdtempSync(join(tmpdir(), 'triad-manifest-'));
  writeFileSync(join(dir, 'big.yaml'), `apiVersion: v1\nkind: ConfigMap\ndata: {x: "${'a'.repeat(2000)}"}\n`);
  const r = loadManifestsSync([join(dir, 'big.yaml')], { maxFileBytes: 1000 });
  assert.equal(r.objects.length, 0);
  assert.match(formatManifestError(r.errors[0]!), /big\.yaml: too large/);
  const many = loadManifestText('apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n---\napiVersion: v1\nkind: C\n', 'm.yaml', { maxDocuments: 2 });
  assert.equal(many.objects.length, 2);
  assert.match(many.errors[0]!.message, /more than 2 documents/);

  const stdin = await loadManifests(['-'], { stdin: Readable.from([Buffer.from('x'.repeat(5000))]), maxFileBytes: 100 });
  assert.match(formatManifestError(stdin.errors[0]!), /^-: stdin: too large/);
});

test('directories: recursive, manifest extensions only, symlinks never escape', () => {
  const root = mkdtempSync(join(tmpdir(), 'triad-manifest-'));
  const outside = mkdtempSync(join(tmpdir(), 'triad-outside-'));
  writeFileSync(join(outside, 'secret.yaml'), 'apiVersion: v1\nkind: Secret\n');
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  writeFileSync(join(root, 'a', 'b', 'pod.yml'), 'apiVersion: v1\nkind: Pod\n');
  writeFileSync(join(root, 'a', 'svc.json'), '{"apiVersion": "v1", "kind": "Service"}');
  writeFileSync(join(root, 'notes.txt'), 'apiVersion: v1\nkind: Pod\n');
  symlinkSync(join(outside, 'secret.yaml'), join(root, 'escape.yaml'));
  symlinkSync(outside, join(root, 'escape-dir'));
  symlinkSync(join(root, 'a'), join(root, 'a', 'b', 'loop'));
  const r = loadManifestsSync([root]);
  assert.deepEqual(r.objects.map((o) => o.kind).sort(), ['Pod', 'Service']);
  assert.equal(r.errors.filter((e) => /outside/.test(e.message)).length, 2);
});

test('stdin', async () => {
  const r = await loadManifests(['-'], { stdin: Readable.from(['apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n']) });
  assert.equal(r.objects[0]!.source.file, '-');
  assert.equal(r.objects[0]!.metadata.name, 'x');
});
