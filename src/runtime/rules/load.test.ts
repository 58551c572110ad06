// Loader and language semantics on hand-written rule files: append/override/enabled across
// files, exceptions, priorities, operators, outputs, and hostile files rejected without hanging.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuntimeEvent } from '../event.ts';
import { loadFalcoRulesFromText, type LoadResult } from './load.ts';
import { ROOT_ONLY_RESOLVER } from './users.ts';

const load = (...texts: string[]): LoadResult =>
  loadFalcoRulesFromText(texts.map((text, i) => ({ name: `f${i}.yaml`, text })), { ruleMatching: 'all', ids: ROOT_ONLY_RESOLVER });

const rule = (name: string, condition: string, extra = ''): string =>
  `- rule: ${name}\n  desc: test\n  condition: ${JSON.stringify(condition)}\n  output: "${name} %proc.name %fd.name"\n  priority: WARNING\n${extra}`;

function ev(over: Partial<RuntimeEvent> & { comm?: string; argv?: string[] } = {}): RuntimeEvent {
  const { comm = 'cat', argv, ...rest } = over;
  return {
    time: '2026-01-01T00:00:00.000Z', source: 'bpftrace', type: 'openat', category: 'file', ret: 3,
    container: { id: 'c0ffee00c0ffee00c0ffee', name: 'app', image: 'registry.local:5000/team/app:2.1@sha256:ab' },
    file: { path: '/etc/shadow', flags: ['O_RDONLY'] },
    process: { pid: 10, comm, argv: argv ?? [comm, '/etc/shadow'], uid: 0, tty: 0, ancestors: [{ pid: 9, comm: 'bash' }, { pid: 8, comm: 'sshd' }, { pid: 1, comm: 'systemd' }] },
    ...rest,
  };
}
const names = (r: LoadResult, e: RuntimeEvent) => r.ruleset.evaluate(e).map((m) => m.rule);

describe('conditions', () => {
  const cases: [string, boolean][] = [
    ['evt.type=openat and proc.name=cat', true],
    ['evt.type = openat and proc.name == "cat"', true],
    ['evt.type=openat and proc.name != cat', false],
    ['evt.type=openat and not proc.name in (bash, "c a t", cat)', false],
    ['evt.type=openat and proc.name in (bash, zsh)', false],
    ['evt.type=openat and fd.name startswith /etc/ and fd.name endswith shadow', true],
    ["evt.type=openat and fd.name contains 'sha'", true],
    ['evt.type=openat and fd.name icontains SHADOW', true],
    ['evt.type=openat and fd.name glob "/etc/*ad*"', true],
    ['evt.type=openat and fd.name glob "/etc/?"', false],
    ['evt.type=openat and fd.name iglob "/ETC/[rs]hadow"', true],
    ['evt.type=openat and fd.name pmatch (/etc, /usr)', true],
    ['evt.type=openat and fd.name pmatch (/et)', false],
    ['evt.type=openat and fd.directory = /etc and fd.filename = shadow', true],
    ['evt.type=openat and fd.name regex "/etc/sh[a-z]+"', true],
    ['evt.type=openat and fd.name regex "sh[a-z]+"', false],
    ['evt.type=openat and fd.name bcontains 736861', true],
    ['evt.type=openat and proc.aname[1]=bash and proc.aname[2]=sshd and proc.aname[0]=cat', true],
    ['evt.type=openat and proc.aname=sshd', true],
    ['evt.type=openat and proc.aname[4] exists', false],
    ['evt.type=openat and proc.apid[3] = 1', true],
    ['evt.type=openat and proc.pid >= 10 and proc.pid < 11 and proc.pid in (10, 0x0b)', true],
    ['evt.type=openat and user.uid=0 and user.name=root', true],
    ['evt.type=openat and container.image.repository = registry.local:5000/team/app and container.image.tag = "2.1"', true],
    ['evt.type=openat and container.id = c0ffee00c0ff', true],
    ['evt.type=openat and proc.tty != 0', false],
    ['evt.type=openat and proc.cwd exists', false],
    ['evt.type=openat and not proc.cwd exists', true],
    ['evt.type=openat and tolower(proc.name) = cat and toupper(proc.name) = CAT', true],
    ['evt.type=openat and proc.name = val(proc.aname[0])', true],
    ['evt.type=openat and proc.args intersects (x, /etc/shadow)', true],
    ['evt.type=openat and evt.is_open_read=true and evt.is_open_write=false and fd.num >= 0 and fd.typechar = f', true],
    ['evt.type=openat and evt.res = SUCCESS and evt.rawres = 3', true],
    ['((evt.type=openat)) and not not proc.name=cat', true],
  ];
  for (const [cond, expected] of cases) {
    it(`${cond} → ${expected}`, () => {
      const r = load(rule('r', cond));
      assert.deepEqual(r.errors, []);
      assert.equal(names(r, ev()).length === 1, expected);
    });
  }

  it('network fields: CIDR, ports, IP equality across spellings, fd.name tuple', () => {
    const net = ev({ type: 'connect', category: 'network', ret: 0, file: undefined, net: { family: 'ipv4', protocol: 'tcp', localAddr: '10.1.2.3', localPort: 5555, remoteAddr: '8.8.8.8', remotePort: 53 } });
    const r = load(rule('n', 'evt.type=connect and fd.snet in ("8.8.0.0/16") and fd.net != "127.0.0.0/8" and fd.sport=53 and fd.cport=5555 and fd.sip="8.8.8.8" and fd.l4proto=tcp and fd.typechar=4 and fd.connected=true'));
    assert.deepEqual(r.errors, []);
    const m = r.ruleset.evaluate(net);
    assert.equal(m.length, 1);
    assert.equal(m[0]!.outputFields['fd.name'], '10.1.2.3:5555->8.8.8.8:53');
    const v6 = load(rule('v6', 'evt.type=connect and fd.sip = "::1" and fd.snet = "::/120"'));
    assert.equal(names(v6, { ...net, net: { family: 'ipv6', remoteAddr: '0:0:0::1', remotePort: 80 } }).length, 1);
  });

  it('missing values: every comparison false, exists false, output <NA> and null', () => {
    const r = load(rule('x', 'evt.type=openat', ''), '');
    const m = r.ruleset.evaluate(ev({ file: undefined }));
    assert.equal(m[0]!.output, 'x cat <NA>');
    assert.equal(m[0]!.outputFields['fd.name'], null);
    assert.equal(m[0]!.priority, 'WARNING');
  });
});

describe('loading semantics', () => {
  it('lists inside lists, macros inside macros, and list names inside ( )', () => {
    const r = load(`
- list: a
  items: [cat, '"c d"']
- list: b
  items: [a, dd]
- macro: m1
  condition: proc.name in (b)
- macro: m2
  condition: evt.type=openat and m1
${rule('r', 'm2')}`);
    assert.deepEqual(r.errors, []);
    assert.equal(names(r, ev()).length, 1);
    assert.equal(names(r, ev({ comm: 'c d' })).length, 1, 'quoted list item "c d" unquoted');
    assert.equal(names(r, ev({ comm: 'ls' })).length, 0);
  });

  it('append: true and override append/replace across files, in order', () => {
    const base = `
- list: bins
  items: [cat]
- macro: opened
  condition: evt.type=openat
${rule('r', 'opened and proc.name in (bins)')}`;
    const r = load(base, `
- list: bins
  items: [ls]
  append: true
- rule: r
  condition: and fd.name startswith /etc
  append: true`);
    assert.deepEqual(r.errors, []);
    assert.equal(names(r, ev({ comm: 'ls' })).length, 1);
    assert.equal(names(r, ev({ comm: 'ls', file: { path: '/tmp/x' } })).length, 0);
    const o = load(base, `
- macro: opened
  condition: evt.type=connect
  override:
    condition: replace
- rule: r
  priority: info
  output: replaced %proc.name
  override:
    priority: replace
    output: replace`);
    assert.deepEqual(o.errors, []);
    assert.equal(names(o, ev()).length, 0, 'macro replaced with connect');
    const c = { ...ev(), type: 'connect', file: undefined };
    const m = o.ruleset.evaluate(c);
    assert.equal(m[0]?.priority, 'INFORMATIONAL');
    assert.equal(m[0]?.output, 'replaced cat');
  });

  it('enabled: false, and a later file enabling it again', () => {
    const off = load(rule('r', 'evt.type=openat', '  enabled: false\n'));
    assert.equal(names(off, ev()).length, 0);
    assert.equal(off.ruleset.rules[0]!.enabled, false);
    const on = load(rule('r', 'evt.type=openat', '  enabled: false\n'), '- rule: r\n  enabled: true\n');
    assert.equal(names(on, ev()).length, 1);
    const overridden = load(rule('r', 'evt.type=openat'), '- rule: r\n  enabled: false\n  override:\n    enabled: replace\n');
    assert.equal(names(overridden, ev()).length, 0);
    assert.ok(overridden.ruleset.setEnabled('r', true));
    assert.equal(names(overridden, ev()).length, 1);
  });

  it('exceptions: field tuples, single field with in, appended values', () => {
    const r = load(rule('r', 'evt.type=openat', `  exceptions:
    - name: by_proc_and_dir
      fields: [proc.name, fd.directory]
      comps: [=, in]
      values:
        - [cat, [/etc, /var]]
    - name: by_parent
      fields: proc.pname
      values: [zsh]
`), `
- rule: r
  exceptions:
    - name: by_parent
      values: [bash]
  append: true`);
    assert.deepEqual(r.errors, []);
    assert.equal(names(r, ev()).length, 0, 'cat in /etc is excepted, and so is parent bash');
    assert.equal(names(r, ev({ comm: 'ls', process: { pid: 1, comm: 'ls', ancestors: [{ pid: 2, comm: 'sh' }] } })).length, 1);
    assert.equal(names(r, ev({ comm: 'ls', process: { pid: 1, comm: 'ls', ancestors: [{ pid: 2, comm: 'zsh' }] } })).length, 0);
  });

  it('priorities are case-insensitive with aliases; bad ones are errors', () => {
    for (const [p, want] of [['info', 'INFORMATIONAL'], ['Warning', 'WARNING'], ['EMERGENCY', 'EMERGENCY'], ['debug', 'DEBUG']]) {
      const r = loadFalcoRulesFromText([{ name: 'p.yaml', text: rule('r', 'evt.type=openat').replace('WARNING', p!) }]);
      assert.equal(r.ruleset.rules[0]?.priority, want);
    }
    const bad = load(rule('r', 'evt.type=openat').replace('WARNING', 'SEVERE'));
    assert.match(bad.errors[0]!.message, /invalid priority 'SEVERE'/);
  });

  it('malformed rules are rejected with file, line, name and reason; valid rules keep running', () => {
    const r = load(
      [
        rule('good', 'evt.type=openat'),
        rule('unknown macro', 'evt.type=openat and no_such_macro'),
        rule('syntax', 'evt.type=openat and (proc.name=cat'),
        rule('unknown field', 'evt.type=openat and proc.nmae=cat'),
        rule('bad number', 'evt.type=openat and proc.pid=abc'),
        rule('bad exception', 'evt.type=openat', '  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      values: [[only-one]]\n'),
        '- rule: appended to nothing\n  condition: and x\n  append: true\n',
        '- rule: no output\n  desc: d\n  condition: evt.type=openat\n  priority: INFO\n',
      ].join('\n'),
    );
    assert.deepEqual(r.ruleset.rules.map((x) => x.name), ['good']);
    const byName = new Map(r.errors.map((e) => [e.name, e]));
    assert.match(byName.get('unknown macro')!.message, /undefined macro 'no_such_macro'/);
    assert.match(byName.get('syntax')!.message, /expected '\)'/);
    assert.match(byName.get('unknown field')!.message, /unknown field 'proc.nmae'/);
    assert.match(byName.get('bad number')!.message, /'abc' is not a number/);
    assert.match(byName.get('bad exception')!.message, /must be a list of 2 item/);
    assert.match(byName.get('appended to nothing')!.message, /no rule by that name/);
    assert.match(byName.get('no output')!.message, /has no 'output'/);
    for (const e of r.errors) {
      assert.equal(e.file, 'f0.yaml');
      assert.ok(typeof e.line === 'number' && e.line > 1, `${e.name} has a line`);
    }
    assert.equal(byName.get('unknown macro')!.line, 7);
    assert.equal(names(r, ev()).length, 1);
  });

  it('bad YAML rejects that file only', () => {
    const r = load(rule('a', 'evt.type=openat'), '- rule: b\n  condition: [unclosed\n');
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.file, 'f1.yaml');
    assert.match(r.errors[0]!.message, /invalid YAML/);
    assert.equal(r.ruleset.rules.length, 1);
  });

  it('unsupported fields: the rule is listed with its fields, never evaluated', () => {
    const r = load(rule('env', 'evt.type=execve and proc.env contains SECRET'), rule('ok', 'evt.type=openat'));
    assert.deepEqual(r.unsupported.map((u) => [u.rule, Object.keys(u.fields)]), [['env', ['proc.env']]]);
    assert.deepEqual(r.ruleset.rules.map((x) => x.name), ['ok']);
  });

  it('event-type index and the warning for rules without evt.type', () => {
    const r = load(rule('any', 'proc.name=cat'), rule('notopen', 'not evt.type in (openat, execve) and proc.name=cat'), rule('typed', 'evt.type in (openat) or (evt.type=execve and proc.name=x)'));
    const by = new Map(r.ruleset.rules.map((x) => [x.name, x.eventTypes]));
    assert.deepEqual(by.get('typed'), { all: false, only: new Set(['openat', 'execve']) });
    assert.deepEqual(by.get('notopen'), { all: true, except: new Set(['openat', 'execve']) });
    assert.ok(r.warnings.some((w) => w.name === 'any' && /does not restrict evt.type/.test(w.message)));
    assert.deepEqual(names(r, ev()), ['any', 'typed']);
    assert.deepEqual(names(r, { ...ev(), type: 'connect' }), ['any', 'notopen']);
  });

  it("rule_matching 'first' stops at the first matching rule in load order", () => {
    const r = loadFalcoRulesFromText([{ name: 'a', text: rule('one', 'evt.type=openat') + rule('two', 'evt.type=openat') }]);
    assert.deepEqual(r.ruleset.evaluate(ev()).map((m) => m.rule), ['one']);
  });
});

describe('hostile rule files are rejected without hanging', () => {
  const quick = (fn: () => LoadResult): LoadResult => {
    const t0 = performance.now();
    const r = fn();
    assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
    return r;
  };

  it('cyclic macros and lists', () => {
    const r = quick(() => load(`
- macro: a
  condition: b and evt.type=openat
- macro: b
  condition: a
- list: l1
  items: [l2]
- list: l2
  items: [l1]
${rule('cyc', 'a')}
${rule('cyclist', 'evt.type=openat and proc.name in (l1)')}
${rule('fine', 'evt.type=openat')}`));
    assert.match(r.errors.find((e) => e.name === 'cyc')!.message, /refers to itself/);
    assert.ok(r.errors.some((e) => e.kind === 'list' && /cycle/.test(e.message)));
    assert.ok(r.ruleset.rules.some((x) => x.name === 'fine'));
  });

  it('deep nesting, long not-chains and exponential macro doubling', () => {
    const deep = '('.repeat(5000) + 'evt.type=openat' + ')'.repeat(5000);
    const nots = 'not '.repeat(100_000) + 'evt.type=openat';
    let macros = '- macro: m0\n  condition: evt.type=openat\n';
    for (let i = 1; i <= 40; i++) macros += `- macro: m${i}\n  condition: (m${i - 1} or m${i - 1})\n`;
    const r = quick(() => load(rule('deep', deep), rule('nots', nots), macros + rule('bomb', 'm40'), rule('fine', 'evt.type=openat')));
    const by = new Map(r.errors.map((e) => [e.name, e.message]));
    assert.match(by.get('deep')!, /nested deeper/);
    assert.match(by.get('nots')!, /consecutive 'not'/);
    assert.match(by.get('bomb')!, /expands to .* checks/);
    assert.deepEqual(r.ruleset.rules.map((x) => x.name), ['fine']);
  });

  it('huge lists and bad regexes', () => {
    const items = Array.from({ length: 60_000 }, (_, i) => `p${i}`).join(', ');
    const r = quick(() => load(`
- list: big
  items: [${items}]
- list: bigger
  items: [big, big]
${rule('huge', 'evt.type=openat and proc.name in (bigger)')}
${rule('ok-big', 'evt.type=openat and proc.name in (big)')}
${rule('redos', 'evt.type=openat and fd.name regex "(a+)+$"')}
${rule('badre', 'evt.type=openat and fd.name regex "(unclosed"')}
${rule('lookahead', 'evt.type=openat and fd.name regex "(?=x)x"')}`));
    const by = new Map(r.errors.map((e) => [e.name ?? e.kind, e.message]));
    assert.match(by.get('bigger')!, /more than 100000 items/);
    assert.match(by.get('redos')!, /nested quantifiers/);
    assert.match(by.get('badre')!, /bad regex/);
    assert.match(by.get('lookahead')!, /lookaround/);
    assert.ok(r.ruleset.rules.some((x) => x.name === 'ok-big'));
    assert.equal(names(r, ev({ comm: 'p59999' })).length, 1);
  });

  it('YAML alias bombs and non-sequence files', () => {
    let y = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) y += `a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]\n`;
    const bomb = `- list: l\n  items: &root [1]\n- macro: m\n  condition: evt.type=openat\n  extra: {${y.trim().split('\n').map((l) => l.replace(': ', ': ')).join(', ')}}\n`;
    const r = quick(() => load(bomb, 'just: a map\n', rule('fine', 'evt.type=openat')));
    assert.ok(r.errors.some((e) => e.file === 'f0.yaml' && /alias/i.test(e.message)), JSON.stringify(r.errors));
    assert.ok(r.errors.some((e) => e.file === 'f1.yaml' && /sequence/.test(e.message)));
    assert.ok(r.ruleset.rules.some((x) => x.name === 'fine'));
  });

  it('events with wrong field types never throw out of evaluate', () => {
    const r = load(rule('r', 'evt.type=openat and fd.name contains x and proc.aname[1] startswith b'));
    const weird = { ...ev(), file: { path: 42 as unknown as string }, process: { pid: 1, comm: 7 as unknown as string, ancestors: [{ pid: 1, comm: null as unknown as string }] } };
    assert.doesNotThrow(() => r.ruleset.evaluate(weird));
  });
});
